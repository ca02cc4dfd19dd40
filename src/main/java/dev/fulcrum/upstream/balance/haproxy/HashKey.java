package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.balance.PickContext;
import java.nio.charset.StandardCharsets;

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

  /**
   * The 32-bit key of this request, or null when it has none (no such parameter or header: the
   * caller falls back to round robin).
   */
  Long key(PickContext ctx) {
    switch (source) {
      case SOURCE:
        return finish(ctx.sourceKey() & 0xFFFFFFFFL);
      case URI:
        {
          String uri = ctx.uri();
          if (uri == null) {
            return null;
          }
          return finish(hash(uriPart(uri)));
        }
      case URL_PARAM:
        {
          String value = urlParam(ctx.uri(), name);
          return value == null ? null : finish(hash(value));
        }
      default:
        {
          String value = ctx.header(name);
          if (value == null || value.isEmpty()) {
            return null;
          }
          return finish(hash(useDomainOnly ? mainDomain(value) : value));
        }
    }
  }

  private long finish(long h) {
    return avalanche ? fullHash(h) : h;
  }

  private String uriPart(String uri) {
    int end = uri.length();
    if (len > 0) {
      end = Math.min(end, len);
    }
    int slashes = 0;
    for (int i = 0; i < end; i++) {
      char c = uri.charAt(i);
      if (c == '/') {
        slashes++;
        if (depth > 0 && slashes == depth + 1) {
          return uri.substring(0, i);
        }
      } else if (c == '?' && !whole) {
        return uri.substring(0, i);
      }
    }
    return uri.substring(0, end);
  }

  static String urlParam(String uri, String name) {
    if (uri == null) {
      return null;
    }
    int q = uri.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String pair : uri.substring(q + 1).split("&")) {
      if (pair.length() > name.length() && pair.startsWith(name) && pair.charAt(name.length()) == '=') {
        return pair.substring(name.length() + 1);
      }
    }
    return null;
  }

  /** hdr(host) use_domain_only: "haproxy.1wt.eu" hashes "1wt". */
  static String mainDomain(String host) {
    int last = host.lastIndexOf('.');
    if (last <= 0) {
      return host;
    }
    int prev = host.lastIndexOf('.', last - 1);
    return host.substring(prev + 1, last);
  }

  long hash(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    switch (function) {
      case DJB2:
        return djb2(b);
      case WT6:
        return wt6(b);
      case CRC32:
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b);
        return crc.getValue();
      default:
        return sdbm(b);
    }
  }

  static long sdbm(byte[] b) {
    int h = 0;
    for (byte x : b) {
      h = (x & 0xFF) + (h << 6) + (h << 16) - h;
    }
    return h & 0xFFFFFFFFL;
  }

  static long djb2(byte[] b) {
    int h = 5381;
    for (byte x : b) {
      h = ((h << 5) + h) + (x & 0xFF);
    }
    return h & 0xFFFFFFFFL;
  }

  static long wt6(byte[] b) {
    int h0 = 0xa53c965a;
    int h1 = 0x5ca6953a;
    int step0 = 6;
    int step1 = 18;
    for (byte x : b) {
      int t = x & 0xFF;
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
