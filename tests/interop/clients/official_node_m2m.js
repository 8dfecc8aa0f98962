// Test-only (run by tests/interop/test_official_m2m.py): the official Node SDK manages an organization (M2M)
// client on the emulator and uses its credentials; prints one JSON line (never a secret).
'use strict';
const { ScalekitClient } = require('@scalekit-sdk/node');

const AUDIENCE = 'https://api.example.com';

async function refused(call) {
  try {
    await call();
  } catch (err) {
    return (err && err.constructor && err.constructor.name) || 'Error';
  }
  return '';
}

async function main() {
  const envUrl = process.env.SCALEKIT_ENV_URL;
  const sk = new ScalekitClient(envUrl, process.env.SCALEKIT_CLIENT_ID, process.env.SCALEKIT_CLIENT_SECRET);
  const orgId = process.env.INTEROP_ORG_ID;
  const suffix = process.env.INTEROP_SUFFIX;
  const out = {};
  const created = await sk.m2m.createOrganizationClient(orgId, {
    name: `node-m2m-${suffix}`,
    scopes: ['deploy:apps'],
    audience: [AUDIENCE],
    customClaims: { team: 'ops' },
  });
  const clientId = created.client.clientId;
  const secret = created.plainSecret;
  out.client_id = clientId;
  out.secret_shown = Boolean(secret);
  const fetched = (await sk.m2m.getOrganizationClient(orgId, clientId)).client;
  out.secret_hidden_later = !JSON.stringify(fetched.secrets.map((s) => s.secretSuffix)).includes(secret);

  const token = await sk.generateClientToken(clientId, secret);
  const claims = await sk.validateToken(token, { issuer: envUrl, audience: [AUDIENCE], requiredScopes: ['deploy:apps'] });
  out.oid = claims.oid;
  out.scopes = claims.scopes;
  out.team = claims.team;
  out.wrong_scope_refused = await refused(() => sk.validateToken(token, { audience: [AUDIENCE], requiredScopes: ['admin:all'] }));
  out.wrong_audience_refused = await refused(() => sk.validateToken(token, { audience: ['https://x.example'] }));

  const asOrgClient = new ScalekitClient(envUrl, clientId, secret);
  out.admin_call_refused = await refused(() => asOrgClient.organization.getOrganization(orgId));

  const firstId = fetched.secrets[0].id;
  const added = await sk.m2m.addOrganizationClientSecret(orgId, clientId);
  await sk.m2m.removeOrganizationClientSecret(orgId, clientId, firstId);
  out.removed_secret_refused = await refused(() => sk.generateClientToken(clientId, secret));
  out.new_secret_works = Boolean(await sk.generateClientToken(clientId, added.plainSecret));
  const listed = await sk.m2m.listOrganizationClients(orgId, { pageSize: 100 });
  out.listed = listed.clients.some((c) => c.clientId === clientId);
  await sk.m2m.deleteOrganizationClient(orgId, clientId);
  out.deleted_client_refused = await refused(() => sk.generateClientToken(clientId, added.plainSecret));
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(`interop failed: ${err && err.message}`);
  process.exit(1);
});
