package org.calicoledger.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import org.calicoledger.ipam.Ipam;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code calicoctl ipam show|check|release|configure}: IP address management, as Calico's {@code calicoctl ipam}.
 * The work is {@link Ipam}'s; these classes parse arguments and print.
 */
@Command(name = "ipam", description = "IP address management: show usage, check consistency, release addresses, configure.",
    subcommands = {IpamShowCommand.class, IpamCheckCommand.class, IpamReleaseCommand.class, IpamConfigureCommand.class})
final class IpamCommand implements Runnable {
  @ParentCommand
  Calicoctl top;

  Ipam ipam() {
    return Ipam.builder(top.store()).actor(top.actor()).build();
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "a subcommand is required: show, check, release or configure");
  }

  /** Go's {@code %.5g}, as Calico prints address counts ({@code 65536}, {@code 1.2089e+24}). */
  static String goG5(BigInteger n) {
    if (n.compareTo(BigInteger.valueOf(100_000)) < 0) {
      return n.toString();
    }
    BigDecimal d = new BigDecimal(n).round(new MathContext(5, RoundingMode.HALF_EVEN));
    int exp = d.precision() - d.scale() - 1;
    String mantissa = d.movePointLeft(exp).stripTrailingZeros().toPlainString();
    return mantissa + "e+" + (exp < 10 ? "0" : "") + exp;
  }

  /** {@code 5 (8%)}: a count and its share of {@code total}, the percentage rounded as Go's {@code %.f}. */
  static String withShare(BigInteger n, BigInteger total) {
    BigDecimal pct = total.signum() == 0 ? BigDecimal.ZERO
        : new BigDecimal(n).multiply(BigDecimal.valueOf(100)).divide(new BigDecimal(total), 0, RoundingMode.HALF_EVEN);
    return goG5(n) + " (" + pct.toPlainString() + "%)";
  }
}
