namespace EmailRelay.Protocol.Filters;

/// <summary>
/// The reply line of a <c>net:</c> filter (reference §c, "Network filter protocol"): a line starting with
/// <c>ok</c> is ok, one starting with <c>100</c> is abandon, anything else is fail, in the form
/// <c>[&lt;4xx|5xx&gt; ]&lt;response&gt;[\t&lt;reason&gt;]</c> (the reason defaults to the response).
/// </summary>
internal static class NetFilterReply
{
    /// <summary>Interprets one reply line (without its line ending).</summary>
    public static FilterResult Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.StartsWith("ok", StringComparison.Ordinal))
        {
            return FilterResult.Ok;
        }

        if (line.StartsWith("100", StringComparison.Ordinal))
        {
            return new FilterResult(FilterOutcome.Abandon, false, "", 0, "");
        }

        var tab = line.IndexOf('\t', StringComparison.Ordinal);
        var response = tab < 0 ? line : line[..tab];
        var code = FilterOutputParser.TakeResponseCode(ref response);
        if (response.Length == 0)
        {
            response = FilterOutput.DefaultResponse;
        }

        var reason = tab < 0 ? response : line[(tab + 1)..];
        return new FilterResult(FilterOutcome.Fail, false, response, code, reason);
    }
}
