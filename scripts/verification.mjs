// Face verification for the scripts that file against a running development service (seed data, the reliability
// checks, the benchmarks): start a verification of a person for an app, then press 通过 on the simulator's page,
// which reports the result through the identity provider's signed callback (docs/rules.md#verifications).

/**
 * A passed verification of `person` (`{name, certificate: {type, number}}`) for `appId`, started as `key`; its id.
 * Throws with the service's answer when a step fails.
 */
export async function verifyPerson(baseUrl, key, appId, person) {
  const started = await fetch(`${baseUrl}/v1/verifications`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({
      appId,
      person: { name: person.name, certificate: { type: person.certificate.type, number: person.certificate.number } },
    }),
  });
  const verification = await started.json();
  if (started.status !== 201)
    throw new Error(`verification for ${appId}: ${started.status} ${JSON.stringify(verification)}`);
  // The simulator's page on this very service, whatever origin the answer was built with.
  const pressed = await fetch(`${baseUrl}${new URL(verification.url).pathname}`, {
    method: "POST",
    body: new URLSearchParams({ result: "passed" }),
    redirect: "manual",
  });
  if (pressed.status !== 303) throw new Error(`simulator for ${appId}: ${pressed.status} ${await pressed.text()}`);
  return verification.id;
}

/**
 * `body` with a passed verification of its service principal, when it is a `new` or `change` filing naming none
 * (anything else comes back as it is).
 */
export async function withVerification(baseUrl, key, body) {
  const principal = body?.service?.principal;
  if ((body?.type !== "new" && body?.type !== "change") || !principal || principal.verificationId !== undefined) {
    return body;
  }
  const verificationId = await verifyPerson(baseUrl, key, body.appId, principal);
  return { ...body, service: { ...body.service, principal: { ...principal, verificationId } } };
}
