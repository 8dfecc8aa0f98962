// Test-only (run by tests/interop/test_official_tokens_events.py): drive the official Node SDK's token and events clients against the emulator; print one JSON line.
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
  const orgId = (await sk.organization.createOrganization(`Node Tok ${suffix}`)).organization.id;
  const user = (await sk.user.createUserAndMembership(orgId, {
    email: `node-tok-${suffix}@example.com`,
    sendInvitationEmail: false,
  })).user;
  out.org_id = orgId;
  out.user_id = user.id;
  const created = await sk.token.createToken(orgId, {
    userId: user.id,
    customClaims: { env: 'ci' },
    description: 'node',
  });
  out.token_id = created.tokenId;
  out.token_is_opaque = Boolean(created.token) && created.token !== created.tokenId;
  const info = (await sk.token.validateToken(created.token)).tokenInfo;
  out.validated = { organization_id: info.organizationId, user_id: info.userId, claims: info.customClaims };
  const updated = (await sk.token.updateToken(created.tokenId, {
    customClaims: { team: 'core' },
    description: 'node2',
  })).tokenInfo;
  out.updated = { claims: updated.customClaims, description: updated.description };
  const listed = await sk.token.listTokens(orgId, { userId: user.id, pageSize: 30 });
  out.listed = listed.tokens.map((t) => t.tokenId);
  out.listed_total = listed.totalCount;
  await sk.token.invalidateToken(created.token);
  try {
    await sk.token.validateToken(created.token);
    out.rejected_after_invalidate = false;
  } catch (err) {
    out.rejected_after_invalidate = true;
    out.rejection = err && err.constructor && err.constructor.name;
  }
  const page = await sk.events.listEventsPaginated(50, '', { organizationId: orgId });
  out.event_types = page.events.map((e) => e.type);
  out.event_ids = page.events.map((e) => e.id);
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(`interop failed: ${err && err.message}`);
  process.exit(1);
});
