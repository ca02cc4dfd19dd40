package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.PickContext;

/**
 * What HAProxy hashes for {@code balance source|uri|url_param|hdr(name)} and how
 * (src/backend.c get_server_sh/uh/ph/hh, src/hash.c): sdbm by default, djb2/wt6/crc32 on demand,
 * optionally followed by the full avalanche.
 */
public record HashKey(Source source, String name, boolean whole, int len, int depth, boolean useDomainOnly,
    Function function, boolean avalanche) {

  public enum Source {
    SOURCE,
    URI,
    URL_PARAM,
    HDR
  }

  public enum Function {
    SDBM,
    DJB2,
    WT6,
    CRC32
  }

  /** What {@link #key} returns for a request that has nothing to hash. */
  static final long NONE = -1;

  /**
   * The 32-bit key of this request, or {@link #NONE} when it has none (no such parameter or
   * header: the caller falls back to round robin). Hashes the request's own strings in place.
   */
  long key(PickContext ctx) {
    switch (source) {
      case SOURCE:
        return finish(ctx.sourceKey() & 0xFFFFFFFFL);
      case URI:
        {
          String uri = ctx.uri();
          return uri == null ? NONE : finish(hash(uri, 0, uriEnd(uri)));
        }
      case URL_PARAM:
        {
          String uri = ctx.uri();
          int at = uri == null ? -1 : urlParam(uri, name);
          return at < 0 ? NONE : finish(hash(uri, at, valueEnd(uri, at)));
        }
      default:
        {
          String value = ctx.header(name);
          if (value == null || value.isEmpty()) {
            return NONE;
          }
          if (!useDomainOnly) {
            return finish(hash(value, 0, value.length()));
          }
          int last = value.lastIndexOf('.');
          // hdr(host) use_domain_only: "haproxy.1wt.eu" hashes "1wt".
          return last <= 0
              ? finish(hash(value, 0, value.length()))
              : finish(hash(value, value.lastIndexOf('.', last - 1) + 1, last));
        }
    }
  }

  private long finish(long h) {
    return avalanche ? fullHash(h) : h;
  }

  /** Where the hashed part of {@code uri} ends: len, depth and (without whole) the query cut it. */
  private int uriEnd(String uri) {
    int end = len > 0 ? Math.min(uri.length(), len) : uri.length();
    int slashes = 0;
    for (int i = 0; i < end; i++) {
      char c = uri.charAt(i);
      if (c == '/') {
        slashes++;
        if (depth > 0 && slashes == depth + 1) {
          return i;
        }
      } else if (c == '?' && !whole) {
        return i;
      }
    }
    return end;
  }

  /** Where the value of query parameter {@code name} starts in {@code uri}, or -1. */
  static int urlParam(String uri, String name) {
    int at = uri.indexOf('?');
    while (at >= 0) {
      int start = at + 1;
      int eq = start + name.length();
      if (eq < uri.length() && uri.charAt(eq) == '=' && uri.regionMatches(start, name, 0, name.length())) {
        return eq + 1;
      }
      at = uri.indexOf('&', start);
    }
    return -1;
  }

  private static int valueEnd(String uri, int from) {
    int amp = uri.indexOf('&', from);
    return amp < 0 ? uri.length() : amp;
  }

  /** The configured function over the ISO-8859-1 bytes of {@code s[from, to)}. */
  long hash(String s, int from, int to) {
    switch (function) {
      case DJB2:
        return djb2(s, from, to);
      case WT6:
        return wt6(s, from, to);
      case CRC32:
        return crc32(s, from, to);
      default:
        return sdbm(s, from, to);
    }
  }

  /** A char as String.getBytes(ISO_8859_1) encodes it. */
  private static int latin1(String s, int i) {
    char c = s.charAt(i);
    return c <= 0xFF ? c : '?';
  }

  static long sdbm(String s, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = latin1(s, i) + (h << 6) + (h << 16) - h;
    }
    return h & 0xFFFFFFFFL;
  }

  static long djb2(String s, int from, int to) {
    int h = 5381;
    for (int i = from; i < to; i++) {
      h = ((h << 5) + h) + latin1(s, i);
    }
    return h & 0xFFFFFFFFL;
  }

  static long wt6(String s, int from, int to) {
    int h0 = 0xa53c965a;
    int h1 = 0x5ca6953a;
    int step0 = 6;
    int step1 = 18;
    for (int i = from; i < to; i++) {
      int t = latin1(s, i);
      h0 = ~(h0 ^ t);
      h1 = ~(h1 + t);
      t = (h1 << step0) | (h1 >>> (32 - step0));
      h1 = (h0 << step1) | (h0 >>> (32 - step1));
      h0 = t;
      t = ((h0 >>> 16) ^ h1) & 0xffff;
      step0 = t & 0x1F;
      step1 = t >>> 11;
    }
    return (h0 ^ h1) & 0xFFFFFFFFL;
  }

  /** CRC-32 (IEEE), bit by bit as HAProxy's hash_crc32 computes it. */
  static long crc32(String s, int from, int to) {
    int h = ~0;
    for (int i = from; i < to; i++) {
      h ^= latin1(s, i);
      for (int bit = 0; bit < 8; bit++) {
        h = (h >>> 1) ^ ((h & 1) != 0 ? 0xedb88320 : 0);
      }
    }
    return ~h & 0xFFFFFFFFL;
  }

  /** Bob Jenkins' full avalanche of a 32-bit integer, then times 3221225473 (HAProxy's full_hash). */
  static long fullHash(long value) {
    int a = (int) value;
    a = (a + 0x7ed55d16) + (a << 12);
    a = (a ^ 0xc761c23c) ^ (a >>> 19);
    a = (a + 0x165667b1) + (a << 5);
    a = (a + 0xd3a2646c) ^ (a << 9);
    a = (a + 0xfd7046c5) + (a << 3);
    a = (a ^ 0xb55a4f09) ^ (a >>> 16);
    return (a * 0xC0000001) & 0xFFFFFFFFL;
  }
}
