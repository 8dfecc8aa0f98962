// Test-only (run by tests/interop/test_official_sdks.py): drive the official Node SDK against the emulator; print what it saw as one JSON line.
'use strict';
const { ScalekitClient } = require('@scalekit-sdk/node');

async function main() {
  const sk = new ScalekitClient(
    process.env.SCALEKIT_ENV_URL,
    process.env.SCALEKIT_CLIENT_ID,
    process.env.SCALEKIT_CLIENT_SECRET,
  );
  const suffix = process.env.INTEROP_SUFFIX;
  const out = {};
  const created = await sk.organization.createOrganization(`Node Org ${suffix}`, { externalId: `node-${suffix}` });
  const orgId = created.organization.id;
  out.org_id = orgId;
  out.org_name = (await sk.organization.getOrganization(orgId)).organization.displayName;
  out.org_by_external = (await sk.organization.getOrganizationByExternalId(`node-${suffix}`)).organization.id;
  const orgs = await sk.organization.listOrganization({ pageSize: 100 });
  out.org_listed = orgs.organizations.some((o) => o.id === orgId);
  const made = await sk.user.createUserAndMembership(orgId, {
    email: `node-${suffix}@example.com`,
    sendInvitationEmail: false,
    userProfile: { firstName: 'Ada', lastName: 'Lovelace' },
  });
  const userId = made.user.id;
  out.user_id = userId;
  out.user_email = (await sk.user.getUser(userId)).user.email;
  const users = await sk.user.listUsers({ pageSize: 100 });
  out.user_listed = users.users.some((u) => u.id === userId);
  await sk.user.deleteUser(userId);
  try {
    await sk.user.getUser(userId);
    out.user_deleted = false;
  } catch (err) {
    out.user_deleted = true;
  }
  await sk.organization.deleteOrganization(orgId);
  try {
    await sk.organization.getOrganization(orgId);
    out.org_deleted = false;
  } catch (err) {
    out.org_deleted = true;
  }
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(`interop failed: ${err && err.message}`);
  process.exit(1);
});
