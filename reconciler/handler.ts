// STUB: replaced by the real handler (issue 3). The signature is the contract with the component.

/** The Lambda-like context the handler uses. */
export interface LambdaContext {
  awsRequestId?: string;
  functionName?: string;
  getRemainingTimeInMillis(): number;
}

/** Entry point of the reconciler Lambda: the event only says "look now". */
export async function handler(event: unknown, _context?: LambdaContext): Promise<unknown> {
  console.log(JSON.stringify({ msg: "reconcile requested", event }));
  return { ok: true };
}
