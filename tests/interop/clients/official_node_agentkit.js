// Test-only (run by tests/interop/test_official_agentkit.py): drive the official Node SDK's AgentKit
// clients against the emulator (connected account, consent page, tools); print one JSON line.
'use strict';
const { ScalekitClient } = require('@scalekit-sdk/node');

async function main() {
  const sk = new ScalekitClient(
    process.env.SCALEKIT_ENV_URL,
    process.env.SCALEKIT_CLIENT_ID,
    process.env.SCALEKIT_CLIENT_SECRET,
  );
  const who = `node-agent-${process.env.INTEROP_SUFFIX}`;
  const out = {};
  const created = await sk.connectedAccounts.createConnectedAccount({
    connector: 'toolbox',
    identifier: who,
    connectedAccount: {},
  });
  out.account_id = created.connectedAccount.id;
  out.status_before = created.connectedAccount.status;
  const magic = await sk.connectedAccounts.getMagicLinkForConnectedAccount({ connector: 'toolbox', identifier: who });
  const consent = await fetch(magic.link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'action=approve',
  });
  out.consent_status = consent.status;
  const account = await sk.connectedAccounts.getConnectedAccountByIdentifier({ connector: 'toolbox', identifier: who });
  out.status_after = account.connectedAccount.status;
  const tools = await sk.tools.listTools({ filter: { provider: 'TOOLBOX' } });
  out.tools = tools.tools.map((t) => t.definition.name);
  const sum = await sk.tools.executeTool({ toolName: 'calculator_evaluate', identifier: who, params: { expression: '6*7' } });
  out.result = sum.data.result;
  out.execution_id = sum.executionId;
  try {
    await sk.tools.executeTool({ toolName: 'calculator_evaluate', identifier: who, params: { expression: 7 } });
    out.bad_input_refused = false;
  } catch (err) {
    out.bad_input_refused = true;
  }
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(`interop failed: ${err && err.message}`);
  process.exit(1);
});
