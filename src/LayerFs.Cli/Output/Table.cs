namespace LayerFs.Cli.Output;

/// <summary>A plain text table with left-aligned columns, as docker prints them.</summary>
internal sealed class Table
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public Table(params string[] headers) => _headers = headers;

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Print()
    {
        var widths = _headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        string Format(string[] cells) => string.Join("   ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
        Terminal.Line(Format(_headers));
        foreach (var row in _rows)
            Terminal.Line(Format(row));
    }
}
