using EmailRelay.Smtp.Server;

namespace EmailRelay.Core.Tests.Smtp.Server;

public sealed class PooledBufferWriterTests
{
    [Fact]
    public void Nothing_is_written_before_the_first_write()
    {
        var writer = new PooledBufferWriter(16);
        Assert.True(writer.WrittenMemory.IsEmpty);
        writer.Release();
        Assert.True(writer.WrittenMemory.IsEmpty);
    }

    [Fact]
    public void Writes_past_the_initial_size_keep_every_byte_in_order()
    {
        var writer = new PooledBufferWriter(16);
        var expected = new byte[1000];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = (byte)i;
        }

        for (var offset = 0; offset < expected.Length; offset += 7)
        {
            var chunk = expected.AsSpan(offset, Math.Min(7, expected.Length - offset));
            chunk.CopyTo(writer.GetSpan(chunk.Length));
            writer.Advance(chunk.Length);
        }

        Assert.Equal(expected, writer.WrittenMemory.ToArray());
    }

    [Fact]
    public void Clear_and_release_forget_the_written_bytes_and_the_writer_can_be_used_again()
    {
        var writer = new PooledBufferWriter(16);
        "abc"u8.CopyTo(writer.GetSpan(3));
        writer.Advance(3);
        writer.Clear();
        Assert.True(writer.WrittenMemory.IsEmpty);
        "de"u8.CopyTo(writer.GetMemory(2).Span);
        writer.Advance(2);
        Assert.Equal("de"u8.ToArray(), writer.WrittenMemory.ToArray());
        writer.Release();
        Assert.True(writer.WrittenMemory.IsEmpty);
        "f"u8.CopyTo(writer.GetSpan());
        writer.Advance(1);
        Assert.Equal("f"u8.ToArray(), writer.WrittenMemory.ToArray());
    }

    [Fact]
    public void Advancing_past_the_buffer_throws()
    {
        var writer = new PooledBufferWriter(16);
        var length = writer.GetSpan(1).Length;
        Assert.Throws<InvalidOperationException>(() => writer.Advance(length + 1));
    }
}
