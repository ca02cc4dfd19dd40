package dev.fulcrum.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made for one test: a root CA, intermediates, and server or client certificates
 * signed by either, written as PEM files (certificates, PKCS#8 keys) for Fulcrum and as JDK
 * contexts for the test's TLS servers and clients.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A certificate, its key, and the chain above it up to (not including) the root. */
  public record Issued(X509Certificate cert, PrivateKey key, List<X509Certificate> chain, Path certFile, Path keyFile) {
    /** A JDK context presenting this certificate (and its chain), trusting {@code trusted} for clients. */
    public SSLContext serverContext(X509Certificate... trusted) {
      try {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        List<X509Certificate> all = new ArrayList<>();
        all.add(cert);
        all.addAll(chain);
        ks.setKeyEntry("key", key, new char[0], all.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        TrustManagerFactory tmf = null;
        if (trusted.length > 0) {
          KeyStore ts = KeyStore.getInstance("PKCS12");
          ts.load(null, null);
          for (int i = 0; i < trusted.length; i++) {
            ts.setCertificateEntry("ca" + i, trusted[i]);
          }
          tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
          tmf.init(ts);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return ctx;
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final Path dir;
  private final Issued root;

  private TestPki(Path dir, Issued root) {
    this.dir = dir;
    this.root = root;
  }

  /** A new root CA, its files under {@code dir}. */
  public static TestPki create(Path dir) {
    KeyPair kp = keyPair();
    X509Certificate cert = sign(new X500Name("CN=Fulcrum Test Root"), kp, new X500Name("CN=Fulcrum Test Root"),
        kp.getPrivate(), true, List.of(), Duration.ofDays(30));
    TestPki pki = new TestPki(dir, null);
    return new TestPki(dir, pki.write("root", cert, kp.getPrivate(), List.of()));
  }

  public Issued root() {
    return root;
  }

  /** The root's certificate file: what a client trusts. */
  public Path rootFile() {
    return root.certFile();
  }

  /** An intermediate CA signed by {@code issuer}. */
  public Issued intermediate(String name, Issued issuer) {
    KeyPair kp = keyPair();
    X509Certificate cert = sign(new X500Name("CN=" + name), kp, subject(issuer), issuer.key(), true, List.of(),
        Duration.ofDays(30));
    return write(name, cert, kp.getPrivate(), chainOf(issuer));
  }

  /** A leaf certificate for {@code names} (DNS names or IP addresses) signed by {@code issuer}. */
  public Issued leaf(String fileName, Issued issuer, String... names) {
    KeyPair kp = keyPair();
    X509Certificate cert = sign(new X500Name("CN=" + names[0]), kp, subject(issuer), issuer.key(), false,
        List.of(names), Duration.ofDays(30));
    return write(fileName, cert, kp.getPrivate(), chainOf(issuer));
  }

  /** A leaf whose validity ended yesterday. */
  public Issued expired(String fileName, Issued issuer, String name) {
    KeyPair kp = keyPair();
    X509Certificate cert = sign(new X500Name("CN=" + name), kp, subject(issuer), issuer.key(), false, List.of(name),
        Duration.ofDays(-1));
    return write(fileName, cert, kp.getPrivate(), chainOf(issuer));
  }

  private List<X509Certificate> chainOf(Issued issuer) {
    if (issuer == root) {
      return List.of();
    }
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(issuer.cert());
    chain.addAll(issuer.chain());
    return chain;
  }

  private static X500Name subject(Issued i) {
    return new X500Name(i.cert().getSubjectX500Principal().getName());
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(256);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(
      X500Name subject, KeyPair kp, X500Name issuer, PrivateKey issuerKey, boolean ca, List<String> names,
      Duration validFor) {
    try {
      Instant now = Instant.now();
      Instant from = validFor.isNegative() ? now.minus(Duration.ofDays(10)) : now.minus(Duration.ofHours(1));
      Instant to = validFor.isNegative() ? now.plus(validFor) : now.plus(validFor);
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          issuer, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from), Date.from(to), subject, kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (!names.isEmpty()) {
        GeneralName[] gn = new GeneralName[names.size()];
        for (int i = 0; i < gn.length; i++) {
          String n = names.get(i);
          gn[i] = new GeneralName(n.matches("[\\d.]+|.*:.*") ? GeneralName.iPAddress : GeneralName.dNSName, n);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(gn));
      }
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Issued write(String name, X509Certificate cert, PrivateKey key, List<X509Certificate> chain) {
    try {
      Files.createDirectories(dir);
      Path certFile = dir.resolve(name + ".crt");
      Path keyFile = dir.resolve(name + ".key");
      List<Object> certs = new ArrayList<>();
      certs.add(cert);
      certs.addAll(chain);
      Files.writeString(certFile, pem(certs.toArray()));
      // PKCS#8, the key format Fulcrum reads without extra libraries.
      Files.writeString(keyFile, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null)));
      return new Issued(cert, key, List.copyOf(chain), certFile, keyFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pem(Object... objects) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        w.writeObject(o);
      }
    }
    return out.toString();
  }
}
