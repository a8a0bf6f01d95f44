// IAM policy documents as plain data, so that builders stay pure and tests can parse what AWS gets.

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: { Service: string } | { AWS: string };
  Action: string[];
  /** Absent only in trust policies, which IAM refuses with a Resource element. */
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** Trust policy that lets one AWS service (e.g. "lambda.amazonaws.com") assume the role. */
export function assumeRolePolicy(service: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: ["sts:AssumeRole"],
      },
    ],
  };
}
