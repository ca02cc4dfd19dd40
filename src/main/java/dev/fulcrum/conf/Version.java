package dev.fulcrum.conf;

/** The running version, from the jar manifest when there is one. */
public final class Version {
  public static final String VERSION = detect();
  /** Release date as HAProxy's show info writes it. */
  public static final String RELEASE_DATE = "2026/11/21";
  /** The product token in Server and Via headers. */
  public static final String SERVER = "fulcrum/" + VERSION;

  private Version() {}

  private static String detect() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0" : v;
  }
}
