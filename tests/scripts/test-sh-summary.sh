#!/usr/bin/env bash
# ./test.sh ends with its summary line on every path and fails when a test hangs: it is run on a throwaway test
# project (one passing, one skipped, one hanging test) with a 20 s hang timeout, and must print the skipped test,
# end with "N passed, 1 failed" (the hung project counts as failed) and exit non-zero; run again with a node that is
# too old, it must stop early and still end with "0 passed, 1 failed". Exit 77 = skipped (no NuGet packages cached).
set -uo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
version() { sed -nE "s/.*Include=\"$1\" Version=\"([^\"]+)\".*/\1/p" "$REPO/Directory.Packages.props"; }

mkdir -p "$WORK/fake" "$WORK/bin"
cat >"$WORK/fake/Fake.Tests.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><IsPackable>false</IsPackable></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="$(version Microsoft.NET.Test.Sdk)" />
    <PackageReference Include="xunit" Version="$(version xunit)" />
    <PackageReference Include="xunit.runner.visualstudio" Version="$(version xunit.runner.visualstudio)" />
  </ItemGroup>
</Project>
XML
cat >"$WORK/fake/FakeTests.cs" <<'CS'
using Xunit;
public class FakeTests
{
    [Fact] public void Passes() => Assert.True(true);
    [Fact(Skip = "deliberately skipped")] public void IsSkipped() { }
    [Fact] public void Hangs() => Thread.Sleep(Timeout.Infinite);
}
CS
if ! (cd "$WORK/fake" && dotnet build -c Release -nologo -v q >"$WORK/build.log" 2>&1); then
  if grep -q "NU1101\|NU1102\|Unable to load the service index" "$WORK/build.log"; then echo "skipped: the test packages are not available"; exit 77; fi
  tail -n 20 "$WORK/build.log" >&2; echo "FAIL: the throwaway test project did not build" >&2; exit 1
fi

out="$WORK/run.log"
DATAKEEN_TEST_NO_BUILD=1 DATAKEEN_TEST_SCRIPTS= DATAKEEN_TEST_HANG_TIMEOUT=20s \
  DATAKEEN_TEST_PROJECTS="$WORK/fake/Fake.Tests.csproj" "$REPO/test.sh" >"$out" 2>&1
rc=$?
last="$(tail -n 1 "$out")"
fail() { echo "FAIL: $1" >&2; tail -n 30 "$out" >&2; exit 1; }
[ "$rc" -ne 0 ] || fail "./test.sh exited 0 although a test hung"
[[ "$last" =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]] || fail "the last line is not a failing summary: '$last'"
grep -q "skipped:.*FakeTests.IsSkipped" "$out" || fail "the skipped test is not reported"
grep -q "FakeTests.Hangs" "$out" || fail "the hanging test is not named"

printf '#!/bin/sh\necho v18.19.0\n' >"$WORK/bin/node"; chmod +x "$WORK/bin/node"
PATH="$WORK/bin:$PATH" DATAKEEN_TEST_NO_BUILD=1 DATAKEEN_TEST_SCRIPTS= "$REPO/test.sh" >"$out" 2>&1 && fail "./test.sh passed with node 18"
[ "$(tail -n 1 "$out")" = "0 passed, 1 failed" ] || fail "an early stop did not end with '0 passed, 1 failed'"
grep -q "Node.js 20.19 or later is needed" "$out" || fail "no clear message about the Node.js version"

echo "passed: ./test.sh failed with its summary on a hung test ('$last'), reported the skipped test, and ended an early stop with its summary"
