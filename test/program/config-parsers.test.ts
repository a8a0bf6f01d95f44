// The parsers behind the config messages, including properties over generated values.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
  cidrProblem,
  parseInteger,
  parsePortList,
  parseStringList,
  scheduleProblem,
} from "../../components/configParsers";

const dotted = (address: number) =>
  [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");

describe("config parsers", () => {
  it("accepts every network address and names the network when host bits are set", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 32 }),
        (address, prefix) => {
          const size = 2 ** (32 - prefix);
          const network = address - (address % size);
          assert.equal(cidrProblem(`${dotted(network)}/${prefix}`), undefined);
          if (network !== address) {
            assert.equal(
              cidrProblem(`${dotted(address)}/${prefix}`),
              `"${dotted(address)}/${prefix}" has host bits set (did you mean ${dotted(network)}/${prefix}?)`,
            );
          }
        },
      ),
    );
  });

  it("refuses what is not an IPv4 CIDR", () => {
    for (const text of [
      "10.0.0.0",
      "10.0.0/8",
      "256.0.0.0/8",
      "10.0.0.0/33",
      "::/0",
      " 10.0.0.0/8",
    ]) {
      assert.equal(cidrProblem(text), `"${text}" is not an IPv4 CIDR such as 10.0.0.0/16`);
    }
  });

  it("accepts rate() with the right singular or plural, and 6-field cron()", () => {
    for (const ok of [
      "rate(1 minute)",
      "rate(5 minutes)",
      "rate(1 hour)",
      "rate(2 days)",
      "cron(0/10 * * * ? *)",
    ]) {
      assert.equal(scheduleProblem(ok), undefined, ok);
    }
    assert.equal(scheduleProblem("rate(2 hour)"), 'write "2 hours"');
    assert.equal(scheduleProblem("rate(1 days)"), 'write "1 day"');
    assert.equal(scheduleProblem("rate(0 minutes)"), "a rate must be at least 1");
    assert.match(String(scheduleProblem("rate(5 weeks)")), /^must be rate\(/);
  });

  it("reads whole numbers within their range only", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), (n) => {
        const parsed = parseInteger(String(n), 2, 10);
        assert.equal(parsed.ok, n >= 2 && n <= 10);
        if (parsed.ok) assert.equal(parsed.value, n);
      }),
    );
    for (const text of ["", "1.0", "1e3", "0x10", "ten", "99999999999999999999"]) {
      assert.deepEqual(parseInteger(text, 1), {
        ok: false,
        problem: "must be a whole number of at least 1",
      });
    }
  });

  it("reads lists of strings and of distinct ports", () => {
    assert.deepEqual(parseStringList('["a","b"]'), { ok: true, value: ["a", "b"] });
    assert.deepEqual(parseStringList("[1]"), { ok: false, problem: "must be a list of strings" });
    assert.deepEqual(parseStringList("a,b"), { ok: false, problem: "must be a list of strings" });
    assert.deepEqual(parsePortList("[80,443]"), { ok: true, value: [80, 443] });
    assert.deepEqual(parsePortList("[80.5]"), {
      ok: false,
      problem: "port 80.5 is not a whole number",
    });
    assert.deepEqual(parsePortList('["80"]'), {
      ok: false,
      problem: "must be a list of TCP port numbers",
    });
  });
});
