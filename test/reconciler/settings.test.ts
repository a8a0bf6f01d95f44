import { strict as assert } from "node:assert";
import { ENV, DEFAULT_POLL_INTERVAL_MS, readSettings } from "../../reconciler/settings";

describe("reconciler settings", () => {
  const complete = {
    [ENV.groupName]: "app-asg",
    [ENV.loadBalancerArn]:
      "arn:aws:elasticloadbalancing:eu-central-1:111122223333:loadbalancer/net/app/1",
    [ENV.targetGroupArns]:
      "arn:aws:elasticloadbalancing:eu-central-1:111122223333:targetgroup/a/1, arn:aws:elasticloadbalancing:eu-central-1:111122223333:targetgroup/b/2",
    [ENV.documentName]: "app-activate",
    [ENV.activationTimeoutSeconds]: "600",
    [ENV.promotionGraceSeconds]: "330",
  };

  it("reads every variable and defaults the poll interval", () => {
    const settings = readSettings(complete);
    assert.deepEqual(settings, {
      groupName: "app-asg",
      loadBalancerArn: complete[ENV.loadBalancerArn],
      targetGroupArns: [
        "arn:aws:elasticloadbalancing:eu-central-1:111122223333:targetgroup/a/1",
        "arn:aws:elasticloadbalancing:eu-central-1:111122223333:targetgroup/b/2",
      ],
      documentName: "app-activate",
      activationTimeoutSeconds: 600,
      promotionGraceSeconds: 330,
      pollIntervalMs: DEFAULT_POLL_INTERVAL_MS,
    });
  });

  it("names every missing or bad variable in one error", () => {
    assert.throws(
      () =>
        readSettings({ ...complete, [ENV.groupName]: "", [ENV.activationTimeoutSeconds]: "1.5" }),
      {
        message:
          "reconciler settings: WS_GROUP_NAME is not set; WS_ACTIVATION_TIMEOUT_SECONDS must be a positive integer",
      },
    );
  });
});
