import { describe, expect, it } from "vitest";
import { webhookUrlProblem } from "../../src/webhooks/url";

const PROD = false;
const DEV = true;

describe("webhookUrlProblem: scheme", () => {
  it("accepts https to a public host in both modes", () => {
    for (const url of [
      "https://example.com/hooks",
      "https://hooks.example.com:8443/beian?x=1",
      "https://93.184.216.34/h",
      "https://[2606:4700::1111]/h",
    ]) {
      expect(webhookUrlProblem(url, PROD), url).toBeNull();
      expect(webhookUrlProblem(url, DEV), url).toBeNull();
    }
  });

  it("refuses http outside development and accepts it in development", () => {
    expect(webhookUrlProblem("http://example.com/hooks", PROD)).toBe("WEBHOOK_URL_NOT_HTTPS");
    expect(webhookUrlProblem("http://example.com/hooks", DEV)).toBeNull();
  });

  it("refuses other schemes in both modes", () => {
    for (const url of ["ftp://example.com/x", "ws://example.com/x", "javascript:alert(1)", "data:text/plain,hi"]) {
      expect(webhookUrlProblem(url, PROD), url).toBe("WEBHOOK_URL_NOT_HTTPS");
      expect(webhookUrlProblem(url, DEV), url).toBe("WEBHOOK_URL_NOT_HTTPS");
    }
  });
});

describe("webhookUrlProblem: loopback", () => {
  const loopback = [
    "https://localhost/h",
    "https://LOCALHOST:8443/h",
    "https://localhost./h",
    "https://api.localhost/h",
    "https://api.localhost./h",
    "https://127.0.0.1/h",
    "https://127.1.2.3/h",
    "https://[::1]/h",
    "https://[::ffff:127.0.0.1]/h",
    // Decimal, hex and short IPv4 forms: the URL parser normalizes them to 127.0.0.1.
    "https://2130706433/h",
    "https://0x7f.1/h",
    "https://0x7f000001/h",
    "https://127.1/h",
    "https://0177.0.0.1/h",
  ];

  it("refuses localhost, *.localhost and loopback addresses outside development", () => {
    for (const url of loopback) expect(webhookUrlProblem(url, PROD), url).toBe("WEBHOOK_URL_PRIVATE");
  });

  it("accepts them in development, also over http", () => {
    for (const url of loopback) expect(webhookUrlProblem(url, DEV), url).toBeNull();
    for (const url of [
      "http://localhost:8787/h",
      "http://127.0.0.1:3000/h",
      "http://[::1]:9000/h",
      "http://2130706433/",
    ]) {
      expect(webhookUrlProblem(url, DEV), url).toBeNull();
    }
  });

  it("refuses http loopback outside development for the scheme first", () => {
    expect(webhookUrlProblem("http://localhost:8787/h", PROD)).toBe("WEBHOOK_URL_NOT_HTTPS");
    expect(webhookUrlProblem("http://0x7f.1/", PROD)).toBe("WEBHOOK_URL_NOT_HTTPS");
  });
});

describe("webhookUrlProblem: private, link-local and other non-public addresses", () => {
  const refused = [
    "10.0.0.1",
    "10.255.255.254",
    "172.16.0.1",
    "172.20.10.5",
    "172.31.255.254",
    "192.168.0.1",
    "192.168.255.1",
    "169.254.169.254",
    "169.254.0.1",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",
    "[fc00::1]",
    "[fd12:3456:789a::1]",
    "[fe80::1]",
    "[::ffff:10.0.0.1]",
    "[::ffff:192.168.1.1]",
    "[::ffff:169.254.169.254]",
    "[::]",
    // 10.0.0.1 and 192.168.0.1 in decimal / hex / short forms.
    "167772161",
    "0xa000001",
    "0xc0.0xa8.0.1",
    "10.1",
    "3232235521",
  ];

  it("refuses them outside development", () => {
    for (const host of refused) {
      expect(webhookUrlProblem(`https://${host}/h`, PROD), host).toBe("WEBHOOK_URL_PRIVATE");
    }
  });

  it("refuses them in development too, over https and http", () => {
    for (const host of refused) {
      expect(webhookUrlProblem(`https://${host}/h`, DEV), host).toBe("WEBHOOK_URL_PRIVATE");
      expect(webhookUrlProblem(`http://${host}:8080/h`, DEV), host).toBe("WEBHOOK_URL_PRIVATE");
    }
  });

  it("accepts the public neighbours of the private ranges", () => {
    for (const host of [
      "172.15.255.255",
      "172.32.0.1",
      "11.0.0.1",
      "192.169.0.1",
      "100.63.255.255",
      "100.128.0.1",
      "169.255.0.1",
    ]) {
      expect(webhookUrlProblem(`https://${host}/h`, PROD), host).toBeNull();
    }
  });

  it("reads names by their spelling only (resolving them is webhookUrlRefusal's part)", () => {
    // Any label sequence spelling a private address is refused, under any domain: wildcard DNS is everywhere.
    expect(webhookUrlProblem("https://10.0.0.1.example.com/h", PROD)).toBe("WEBHOOK_URL_PRIVATE");
    // `localhost` is a suffix, not a label anywhere.
    expect(webhookUrlProblem("https://localhost.example.com/h", PROD)).toBeNull();
  });
});

describe("webhookUrlProblem: malformed", () => {
  it("answers INVALID_FORMAT for garbage in both modes", () => {
    for (const url of [
      "",
      "not a url",
      "example.com/hooks",
      "https://",
      "https://exa mple.com/",
      "//example.com/h",
      "https://[::1/h",
    ]) {
      expect(webhookUrlProblem(url, PROD), url).toBe("INVALID_FORMAT");
      expect(webhookUrlProblem(url, DEV), url).toBe("INVALID_FORMAT");
    }
  });

  it("answers INVALID_FORMAT for credentials in the URL", () => {
    for (const url of [
      "https://user:pass@example.com/h",
      "https://user@example.com/h",
      "https://:secret@example.com/h",
    ]) {
      expect(webhookUrlProblem(url, PROD), url).toBe("INVALID_FORMAT");
      expect(webhookUrlProblem(url, DEV), url).toBe("INVALID_FORMAT");
    }
    expect(webhookUrlProblem("http://user:pass@localhost:8787/h", DEV)).toBe("INVALID_FORMAT");
  });
});

describe("webhookUrlProblem: special-purpose blocks", () => {
  it("refuses documentation, benchmarking, multicast, reserved and broadcast IPv4 blocks", () => {
    for (const host of [
      "192.0.2.10",
      "198.51.100.7",
      "203.0.113.255",
      "198.18.0.1",
      "198.19.255.254",
      "192.0.0.8",
      "192.88.99.1",
      "224.0.0.1",
      "239.255.255.250",
      "240.0.0.1",
      "255.255.255.255",
    ]) {
      expect(webhookUrlProblem(`https://${host}/h`, PROD), host).toBe("WEBHOOK_URL_PRIVATE");
    }
  });

  it("accepts only global unicast IPv6, less the blocks that stand for other addresses", () => {
    for (const host of [
      "[2001:db8::1]",
      "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
      "[2002:c0a8:101::1]",
      "[64:ff9b::a00:1]",
      "[::a00:1]",
      "[ff02::1]",
      "[100::1]",
      "[4000::1]",
      "[3fff:abc::1]",
    ]) {
      expect(webhookUrlProblem(`https://${host}/h`, PROD), host).toBe("WEBHOOK_URL_PRIVATE");
    }
    for (const host of ["[2400:3200::1]", "[2a00:1450:4001::200e]", "[3fff:f000::1]"]) {
      expect(webhookUrlProblem(`https://${host}/h`, PROD), host).toBeNull();
    }
  });

  it("reads IPv4-mapped IPv6 addresses as the IPv4 address they carry", () => {
    expect(webhookUrlProblem("https://[::ffff:93.184.216.34]/h", PROD)).toBeNull();
    expect(webhookUrlProblem("https://[::ffff:7f00:1]/h", PROD)).toBe("WEBHOOK_URL_PRIVATE");
    expect(webhookUrlProblem("http://[::ffff:7f00:1]:8080/h", DEV)).toBeNull();
  });
});

describe("webhookUrlProblem: names that are or spell internal addresses", () => {
  // The URLs an attacker's probe got stored, and their kin: refused in both modes.
  const internal = [
    "https://10.0.0.1.nip.io/x",
    "https://169.254.169.254.nip.io/latest",
    "https://a9fea9fe.nip.io/",
    "https://app-a9fea9fe.nip.io/",
    "https://metadata.google.internal/x",
    "https://internal.corp/x",
    "https://10-0-0-1.sslip.io/x",
    "https://hooks-192-168-1-20.sslip.io/x",
    "https://www.172.16.5.4.sslip.io/x",
    "https://fd00--1.sslip.io/x",
    "https://printer.local/x",
    "https://router.home.arpa/x",
    "https://nas.lan/x",
    "https://wiki.intranet/x",
    "https://box.home/x",
    "https://intranet/x",
    "https://receiver/x",
    "https://host.localdomain/x",
  ];

  it("refuses internal names, single labels and names spelling a private address, in both modes", () => {
    for (const url of internal) {
      expect(webhookUrlProblem(url, PROD), url).toBe("WEBHOOK_URL_PRIVATE");
      expect(webhookUrlProblem(url, DEV), url).toBe("WEBHOOK_URL_PRIVATE");
    }
  });

  it("treats a name spelling a loopback address as loopback: development only", () => {
    for (const url of ["https://127.0.0.1.nip.io/x", "https://7f000001.nip.io/x", "https://127-0-0-1.sslip.io/x"]) {
      expect(webhookUrlProblem(url, PROD), url).toBe("WEBHOOK_URL_PRIVATE");
      expect(webhookUrlProblem(url, DEV), url).toBeNull();
    }
  });

  it("accepts names that spell a public address or none", () => {
    for (const url of [
      "https://8.8.8.8.nip.io/x",
      "https://hooks.example.com/x",
      "https://xn--fiqs8s.example.cn/x",
      "https://api-v2.example.com/x",
      "https://2024-01-15.example.com/x",
      "https://local.example.com/x",
    ]) {
      expect(webhookUrlProblem(url, PROD), url).toBeNull();
    }
  });
});
