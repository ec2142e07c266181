using System.Buffers;
using System.Text;

namespace LayerFs.Store;

/// <summary>Makes names printable on one line: bytes that are not valid UTF-8 become \xNN, control characters are escaped.</summary>
public static class Escape
{
    public static string Bytes(ReadOnlySpan<byte> raw)
    {
        var sb = new StringBuilder(raw.Length);
        var i = 0;
        while (i < raw.Length)
        {
            if (Rune.DecodeFromUtf8(raw[i..], out var rune, out var consumed) != OperationStatus.Done)
            {
                sb.Append("\\x").Append(raw[i].ToString("x2"));
                i++;
                continue;
            }
            AppendRune(sb, rune);
            i += consumed;
        }
        return sb.ToString();
    }

    public static string Text(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
            AppendRune(sb, rune);
        return sb.ToString();
    }

    private static void AppendRune(StringBuilder sb, Rune rune)
    {
        switch (rune.Value)
        {
            case '\\': sb.Append("\\\\"); break;
            case '\n': sb.Append("\\n"); break;
            case '\r': sb.Append("\\r"); break;
            case '\t': sb.Append("\\t"); break;
            default:
                if (Rune.IsControl(rune))
                    sb.Append("\\x").Append(rune.Value.ToString("x2"));
                else
                    sb.Append(rune.ToString());
                break;
        }
    }
}
