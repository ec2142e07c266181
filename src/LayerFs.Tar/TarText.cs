using System.Globalization;
using System.Text;

namespace LayerFs.Tar;

/// <summary>
/// Renders archive bytes (names, field contents) for error messages. A hostile archive chooses
/// these bytes, so the result is always one quoted line of bounded length: printable UTF-8 is
/// kept, everything else (newlines, control and invalid bytes) becomes a \xNN escape.
/// </summary>
internal static class TarText
{
    private const int MaxShownBytes = 200;

    public static string Quote(ReadOnlySpan<byte> bytes)
    {
        var shown = bytes.Length > MaxShownBytes ? bytes[..MaxShownBytes] : bytes;
        var sb = new StringBuilder(shown.Length + 8);
        sb.Append('"');
        while (!shown.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(shown, out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done && IsPrintable(rune))
            {
                if (rune.Value is '"' or '\\')
                    sb.Append('\\');
                sb.Append(rune.ToString());
            }
            else
            {
                // Invalid or unprintable: escape the bytes this step covered (at least one).
                consumed = Math.Max(consumed, 1);
                foreach (var b in shown[..consumed])
                    sb.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
            }
            shown = shown[consumed..];
        }
        sb.Append('"');
        if (bytes.Length > MaxShownBytes)
            sb.Append(CultureInfo.InvariantCulture, $"... ({bytes.Length} bytes)");
        return sb.ToString();
    }

    private static bool IsPrintable(Rune rune)
    {
        if (rune.Value < 0x20 || rune.Value == 0x7f)
            return false;
        if (rune.Value < 0x80)
            return true;
        // Line and paragraph separators and other invisible categories would break "one line".
        var category = Rune.GetUnicodeCategory(rune);
        return category is not (UnicodeCategory.Control or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);
    }

    /// <summary>A typeflag byte as a user would recognise it: 'S', or \x01 when unprintable.</summary>
    public static string TypeFlag(byte flag) =>
        flag is >= 0x21 and < 0x7f ? $"'{(char)flag}'" : $"\\x{flag:x2}";
}
