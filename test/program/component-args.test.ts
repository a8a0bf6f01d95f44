// The component used directly (not through the stack config): its plain arguments are checked
// before it registers anything.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { WarmStandbyGroupArgs } from "../../components/args";
import { checkConfig } from "../../components/configValidation";
import { healthCheckTimeoutSeconds } from "../../components/loadBalancer";
import { WarmStandbyGroup } from "../../components/warmStandbyGroup";
import { DEV_CONFIG, PROJECT_DIR } from "./stacks";

function devArgs(): WarmStandbyGroupArgs {
  const raw = Object.fromEntries(
    Object.entries(DEV_CONFIG)
      .filter(([key]) => key.startsWith("warm-standby:"))
      .map(([key, value]) => [
        key.slice("warm-standby:".length),
        typeof value === "string" ? value : JSON.stringify(value),
      ]),
  );
  const check = checkConfig(raw, (file) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"));
  assert.ok(check.args, check.errors.join("\n"));
  return check.args;
}

describe("component: WarmStandbyGroup arguments", () => {
  it("refuses bad plain arguments, all named in one error", () => {
    const args = { ...devArgs(), activeCapacity: 0, ports: [8080, 8080], subnetIds: [] };
    assert.throws(() => new WarmStandbyGroup("app", args), {
      message:
        "WarmStandbyGroup app: activeCapacity must be an integer >= 1; ports must be distinct; " +
        "subnetIds must list at least one subnet",
    });
  });

  it("refuses no port, a port out of range and a fractional standby capacity", () => {
    assert.throws(() => new WarmStandbyGroup("app", { ...devArgs(), ports: [] }), {
      message: "WarmStandbyGroup app: ports must list at least one port",
    });
    assert.throws(
      () => new WarmStandbyGroup("app", { ...devArgs(), ports: [0], standbyCapacity: 1.5 }),
      {
        message:
          "WarmStandbyGroup app: standbyCapacity must be an integer >= 1; ports must be within 1-65535",
      },
    );
  });

  it("keeps the health-check timeout within AWS's 2-10 s default range and below the interval", () => {
    for (let interval = 5; interval <= 300; interval++) {
      const timeout = healthCheckTimeoutSeconds(interval);
      assert.ok(timeout >= 2 && timeout <= 10 && timeout < interval, `interval ${interval}`);
    }
    assert.equal(healthCheckTimeoutSeconds(30), 10);
  });
});
