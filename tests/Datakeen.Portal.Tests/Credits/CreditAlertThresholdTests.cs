using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;

namespace Datakeen.Portal.Tests.Credits;

public sealed class CreditAlertThresholdTests
{
    [Theory]
    [InlineData(1, 5, true)]    // the 15th of 20 credits
    [InlineData(1, 6, false)]
    [InlineData(1, 4, false)]   // already low before this debit
    [InlineData(10, 0, true)]   // straight to exhausted
    [InlineData(3, 3, true)]    // 6 -> 3 crosses 5
    [InlineData(1, 0, true)]    // the last credit
    public void Only_the_debit_that_crosses_a_threshold_of_the_test_account_counts(long amount, long balanceAfter, bool crossed) =>
        Assert.Equal(crossed, CreditAlerts.Crossed(KeyEnvironment.Test, amount, balanceAfter));

    [Fact]
    public void Production_balances_send_no_test_credit_notices() =>
        Assert.False(CreditAlerts.Crossed(KeyEnvironment.Production, 1, 5));
}
