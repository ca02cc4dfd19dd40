package dev.fulcrum.upstream.balance;

/** A fast 64-bit string hash with good avalanche: FNV-1a over the chars, then murmur3's fmix64. */
public final class Hashing {
  private Hashing() {}

  public static long hash64(CharSequence s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return fmix64(h);
  }

  /** The same hash of {@code prefix + "#" + n}, without building the string. */
  public static long hash64(CharSequence prefix, int n) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < prefix.length(); i++) {
      h ^= prefix.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= '#';
    h *= 0x100000001b3L;
    h ^= n;
    h *= 0x100000001b3L;
    return fmix64(h);
  }

  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
