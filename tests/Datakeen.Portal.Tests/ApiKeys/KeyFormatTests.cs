using System.IO.Hashing;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Tests.ApiKeys;

public sealed class KeyFormatTests
{
    private static readonly Regex KeyPattern = new("^dk_(live|test)_(pk|sk)_[0-9A-Za-z]{38}$");

    [Theory]
    [InlineData(KeyEnvironment.Test, KeyKind.Public, "dk_test_pk_")]
    [InlineData(KeyEnvironment.Test, KeyKind.Secret, "dk_test_sk_")]
    [InlineData(KeyEnvironment.Production, KeyKind.Public, "dk_live_pk_")]
    [InlineData(KeyEnvironment.Production, KeyKind.Secret, "dk_live_sk_")]
    public void Generated_keys_match_the_pattern_and_parse_back_to_their_environment_and_kind(
        KeyEnvironment environment, KeyKind kind, string prefix)
    {
        for (var i = 0; i < 1000; i++)
        {
            var key = KeyFormat.Generate(environment, kind);

            Assert.Matches(KeyPattern, key);
            Assert.StartsWith(prefix, key);
            Assert.True(KeyFormat.TryParse(key, out var parsed));
            Assert.Equal(new ParsedKey(environment, kind), parsed);
        }
    }

    [Fact]
    public void The_check_is_the_big_endian_base62_crc32_of_everything_before_it()
    {
        var key = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret);

        var crc = Crc32.HashToUInt32(Encoding.ASCII.GetBytes(key[..43]));
        var expected = new StringBuilder();
        for (BigInteger value = crc; expected.Length < 6; value /= 62)
        {
            expected.Insert(0, KeyFormat.Alphabet[(int)(value % 62)]);
        }

        Assert.Equal(expected.ToString(), key[43..]);
    }

    [Theory]
    // Checks computed independently with Python: zlib.crc32 written in base62, most significant digit first.
    // Kept as parts so that no whole key literal sits in the repository for secret scanners to flag.
    [InlineData("dk_test_sk_", "00000000000000000000000000000000", "1WBfly", KeyEnvironment.Test, KeyKind.Secret)]
    [InlineData("dk_live_pk_", "abcdefghijklmnopqrstuvwxyzABCDEF", "1egBbR", KeyEnvironment.Production, KeyKind.Public)]
    public void Keys_with_an_independently_computed_check_parse(string prefix, string body, string check,
        KeyEnvironment environment, KeyKind kind)
    {
        var key = prefix + body + check;
        Assert.True(KeyFormat.TryParse(key, out var parsed));
        Assert.Equal(new ParsedKey(environment, kind), parsed);
    }

    [Fact]
    public void Every_single_character_substitution_of_a_valid_key_is_rejected()
    {
        const string substitutes = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-";
        for (var sample = 0; sample < 20; sample++)
        {
            var key = KeyFormat.Generate(sample % 2 == 0 ? KeyEnvironment.Test : KeyEnvironment.Production,
                sample % 4 < 2 ? KeyKind.Public : KeyKind.Secret);
            Span<char> mutated = key.ToCharArray();
            for (var position = 0; position < key.Length; position++)
            {
                foreach (var substitute in substitutes)
                {
                    if (substitute == key[position])
                    {
                        continue;
                    }

                    mutated[position] = substitute;
                    Assert.False(KeyFormat.TryParse(mutated, out _), $"substitution at {position} accepted");
                    mutated[position] = key[position];
                }
            }
        }
    }

    [Fact]
    public void Changing_the_environment_or_kind_of_a_valid_key_invalidates_its_check()
    {
        var key = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret);

        Assert.False(KeyFormat.TryParse("dk_live_sk_" + key[11..], out _));
        Assert.False(KeyFormat.TryParse("dk_test_pk_" + key[11..], out _));
    }

    [Fact]
    public void Random_and_truncated_strings_never_throw_and_are_rejected()
    {
        var random = new Random(4);
        var valid = KeyFormat.Generate(KeyEnvironment.Production, KeyKind.Secret);
        const string noise = "dk_livetspk0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz \t\u00e9\u0000\uffff€";
        for (var i = 0; i < 100_000; i++)
        {
            string candidate;
            if (i % 3 == 0)
            {
                candidate = valid[..random.Next(valid.Length)];
            }
            else
            {
                var length = i % 3 == 1 ? KeyFormat.Length : random.Next(0, 120);
                var chars = new char[length];
                for (var c = 0; c < length; c++)
                {
                    chars[c] = noise[random.Next(noise.Length)];
                }

                if (i % 3 == 1)
                {
                    "dk_test_sk_".CopyTo(chars);
                }

                candidate = new string(chars);
            }

            var accepted = KeyFormat.TryParse(candidate, out _);

            // A random body passes a 6-character check only with probability ~2^-32.
            Assert.False(accepted && candidate != valid, candidate);
        }
    }

    [Fact]
    public void Parsing_a_valid_key_allocates_nothing()
    {
        var key = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Public);
        KeyFormat.TryParse(key, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            KeyFormat.TryParse(key, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void The_digest_is_the_sha256_of_the_ascii_key()
    {
        var key = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret);

        Assert.Equal(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(key)), KeyFormat.ComputeDigest(key));
    }

    [Fact]
    public void Digests_computed_in_parallel_on_many_threads_are_all_correct()
    {
        var keys = Enumerable.Range(0, 2000).Select(i => KeyFormat.Generate(KeyEnvironment.Test, (KeyKind)(i % 2))).ToArray();

        Parallel.ForEach(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, key =>
        {
            Span<byte> digest = stackalloc byte[32];
            Assert.True(KeyFormat.TryParseAndDigest(key, digest, out _));
            Assert.Equal(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(key)), digest.ToArray());
        });
    }

    [Fact]
    public void The_masked_display_shows_the_prefix_sixteen_bullets_and_the_last_four()
    {
        Assert.Equal("dk_test_sk_••••••••••••••••AbCd", KeyDisplay.Masked("dk_test_sk_", "AbCd"));
        Assert.Equal("dk_test_sk_…AbCd", KeyDisplay.Hint("dk_test_sk_", "AbCd"));
    }
}
