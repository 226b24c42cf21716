// E2e scenario: the agent tools over MCP in a real n8n; run by test/e2e/flows.e2e.mjs (npm run test:e2e).
// The agent-tools example (examples/agent-tools.json) as an AI agent meets it: n8n's MCP Server Trigger serving
// the package's nodes as tools, reached with the official MCP client (@modelcontextprotocol/sdk, Streamable
// HTTP). It lists the tools, calls each against the sandboxes and checks what the sandboxes hold afterwards;
// failing calls must come back as tool errors a model can act on, and the next call must still work.
// Part of test/e2e/flows.e2e.mjs (it needs the story's Grace: a person in both systems).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { archiveRows } from '../../scripts/lib/archive.mjs';
import { sleep } from '../../scripts/lib/proc.mjs';
import { waitForWebhooks } from '../../scripts/lib/stack.mjs';
import { USERS, userState } from '../../scripts/lib/story.mjs';

/** n8n logs each failed tool call at error level; these are the ones this test causes. */
export const TOOL_ERRORS_ON_PURPOSE = /^Error while executing Tool (find_user|create_or_update_user|enrol_in_workflow|bulk_sync): /;

/** n8n's "Call n8n Workflow Tool": how the example offers the deletion flow to agents. */
const SUB_WORKFLOW_TOOL = '@n8n/n8n-nodes-langchain.toolWorkflow';

const MONA = { id: 'rk_mona_01', email: 'mona.agent@example.com', firstName: 'Mona', lastName: 'Agent' };

/** The MCP client, connected with the flow's bearer token. */
export async function connectMcp(url, token) {
	const client = new Client({ name: 'n8n-nodes-rankr-e2e', version: '1.0.0' });
	await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
	return client;
}

let calls = 0;
let failedCalls = 0;

/** A tool call as a model gets it back: { isError, text, json } (json when the text is JSON). */
async function call(client, name, args) {
	calls++;
	const result = await client.callTool({ name, arguments: args });
	if (result.isError) failedCalls++;
	const text = (result.content ?? []).map((part) => part.text ?? '').join('');
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { isError: result.isError === true, text, json };
}

/** The $fromAI keys of an example node, in the order they appear: what the model has to pass. */
function fromAiKeys(node) {
	return [...new Set([...JSON.stringify(node.parameters).matchAll(/\$fromAI\('([^']+)'/g)].map((m) => m[1]))];
}

export async function agentTools(stack, checks) {
	const example = stack.flows.find((f) => f.name === 'agent-tools');
	const c = (ok, label, detail) => checks.check(ok, label, detail);
	const requests = () => stack.activatepro.requests().length + stack.emailapi.requests().length;
	const executions = async () => (await stack.rest.executions(example.workflow.id)).length;

	checks.section('agent tools over MCP: the door');
	const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'stranger', version: '1' } } };
	const executionsBefore = await executions();
	for (const [how, authorization] of [['without a token', undefined], ['with a wrong token', 'Bearer not-the-token']]) {
		const response = await fetch(stack.mcp.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(authorization ? { authorization } : {}) },
			body: JSON.stringify(initialize),
			signal: AbortSignal.timeout(10_000),
		});
		const body = await response.text();
		c(response.status === 401 || response.status === 403, `${how}, the MCP endpoint refuses (${response.status})`, `${response.status} ${body.slice(0, 200)}`);
	}
	await sleep(1000); // an execution, had one started, would be listed by now
	c((await executions()) === executionsBefore, 'a refused client starts no execution', `${(await executions()) - executionsBefore} new executions`);
	checks.print();

	checks.section('agent tools over MCP: what a model sees');
	const client = await connectMcp(stack.mcp.url, stack.mcp.token);
	const [callsBefore, failedBefore] = [calls, failedCalls];
	try {
		// the package's nodes as tools, and the deletion flow called as a sub-workflow (delete_user)
		const toolNodes = example.workflow.nodes.filter((node) => node.type.startsWith('n8n-nodes-rankr.') || node.type === SUB_WORKFLOW_TOOL);
		if (stack.runtime.n8nVersion.startsWith('2.')) {
			const instructions = client.getInstructions() ?? '';
			c(instructions.includes('find_user') && instructions.includes('delete_user'), 'the server sends its instructions (which tool first, deleting only when asked)', instructions || '(none)');
		}
		const { tools } = await client.listTools();
		const listed = tools.map((t) => t.name).sort();
		const expected = toolNodes.map((n) => n.name).sort();
		c(JSON.stringify(listed) === JSON.stringify(expected), `the client lists the ${expected.length} tools of the example: ${expected.join(', ')}`, `listed: ${listed.join(', ')}`);
		for (const node of toolNodes) {
			const tool = tools.find((t) => t.name === node.name);
			const keys = fromAiKeys(node);
			const properties = Object.keys(tool?.inputSchema?.properties ?? {});
			const described = properties.every((key) => (tool.inputSchema.properties[key].description ?? '').length > 10);
			c(
				tool?.description === (node.parameters.toolDescription ?? node.parameters.description) && JSON.stringify(properties) === JSON.stringify(keys) && JSON.stringify(tool.inputSchema.required ?? []) === JSON.stringify(keys) && described,
				`${node.name}: its description, and ${keys.length ? `arguments ${keys.join(', ')} (required, each described)` : 'no arguments'}`,
				JSON.stringify(tool),
			);
		}
		checks.print();

		checks.section('agent tools over MCP: the calls, against the sandboxes');
		// An error first: the model reads what went wrong, and the next call works.
		const nobody = await call(client, 'find_user', { email: MONA.email });
		c(nobody.isError && nobody.text.includes(`No user has the email "${MONA.email}" in ActivatePro`), 'find_user for an unknown email: a tool error saying nobody has that email', nobody.text);
		const list = await call(client, 'list_email_workflows', {});
		const welcome = list.json?.find?.((w) => w.name === 'Welcome');
		c(!list.isError && Array.isArray(list.json) && list.json.length <= 20 && welcome?.workflowId && list.json.some((w) => w.name === 'Re-engagement'), 'the next call works: list_email_workflows gives Welcome and Re-engagement with their workflowId (at most 20)', list.text.slice(0, 300));

		const created = await call(client, 'create_or_update_user', { userId: MONA.id, email: MONA.email, firstName: MONA.firstName, lastName: MONA.lastName });
		const profile = stack.activatepro.users.get(MONA.id);
		c(!created.isError && created.json?.[0]?.status === 'processed', 'create_or_update_user waits for ActivatePro and answers "processed"', created.text);
		c(profile?.email === MONA.email && profile.firstName === MONA.firstName && profile.lastName === MONA.lastName, 'ActivatePro holds her profile with email and name', JSON.stringify(profile));

		const contact = await call(client, 'upsert_contact', { email: MONA.email, fullName: `${MONA.firstName} ${MONA.lastName}` });
		const contactId = contact.json?.[0]?.contactId;
		c(!contact.isError && contactId && userState(stack, MONA).contact?.id === contactId, 'upsert_contact: the Email API holds her contact, and the tool gave its contactId', contact.text.slice(0, 300));

		const enrolled = await call(client, 'enrol_in_workflow', { contactId, workflowId: welcome?.workflowId });
		let state = userState(stack, MONA);
		c(!enrolled.isError && state.enrolments.some((e) => e.workflowName === 'Welcome'), 'enrol_in_workflow: she is in the Welcome workflow', `${enrolled.text}; enrolments: ${JSON.stringify(state.enrolments)}`);
		c(state.emails.filter((e) => e.workflowName === 'Welcome').length === 1, 'and the Email API sent her one welcome email', JSON.stringify(state.emails));

		const found = await call(client, 'find_user', { email: MONA.email });
		c(!found.isError && found.json?.length === 1 && found.json[0].id === MONA.id, 'find_user finds her now: one profile, her id', found.text);

		// Across both systems: the profile links the Email API user (the signup flow wrote the link for Grace).
		const grace = await call(client, 'find_user', { email: USERS.grace.email });
		const emailApiUserId = grace.json?.[0]?.emailApiUserId;
		const emailUser = emailApiUserId ? await call(client, 'get_email_user', { emailApiUserId }) : { isError: true, text: 'no emailApiUserId' };
		c(!emailUser.isError && emailUser.json?.[0]?.id === emailApiUserId && emailUser.json[0].email === USERS.grace.email, 'find_user then get_email_user: Grace across both systems (her profile links her Email API user)', `${grace.text.slice(0, 300)} → ${emailUser.text.slice(0, 300)}`);

		const sent = requests();
		const bad = await call(client, 'create_or_update_user', { userId: MONA.id, email: 'not-an-email', firstName: MONA.firstName, lastName: MONA.lastName });
		c(bad.isError && /"Email" is not a valid email address/.test(bad.text) && requests() === sent, 'a bad email: a tool error naming the field and the fix, and no request sent', `${bad.text}; ${requests() - sent} requests`);
		const noWorkflow = await call(client, 'enrol_in_workflow', { contactId, workflowId: 'no-such-workflow' });
		c(noWorkflow.isError && noWorkflow.text.includes('"no-such-workflow" does not exist'), 'an unknown workflow: a tool error saying so', noWorkflow.text);

		const removed = await call(client, 'remove_from_workflow', { contactId, workflowId: welcome?.workflowId });
		state = userState(stack, MONA);
		c(!removed.isError && !state.enrolments.some((e) => e.workflowName === 'Welcome'), 'remove_from_workflow: she is out of the Welcome workflow', `${removed.text}; enrolments: ${JSON.stringify(state.enrolments)}`);

		const deleted = await call(client, 'delete_user', { userId: MONA.id });
		c(!deleted.isError && !stack.activatepro.users.get(MONA.id), 'delete_user: ActivatePro no longer holds her profile', `${deleted.text}; profile ${JSON.stringify(stack.activatepro.users.get(MONA.id))}`);
		// It ran the deletion flow, not a bare delete: deactivated and archived first, then removed.
		const row = (await archiveRows(stack.rest, stack.archive)).find((r) => r.userId === MONA.id);
		const upserts = stack.activatepro.requests().filter((q) => q.method === 'PUT' && q.rawBody.includes(MONA.id) && q.rawBody.includes('deactivated'));
		c(
			row?.status === 'removed' && String(row.webhookId).startsWith('agent-') && /ActivatePro profile/.test(row.removed) && upserts.length === 1,
			'delete_user ran the deletion flow: marked deactivated, archived (a deletion record made by the agent), then removed',
			`row ${JSON.stringify(row)}; deactivations ${upserts.length}`,
		);
		c(deleted.json?.[0]?.status === 'removed' || /"status":\s*"removed"/.test(deleted.text), 'and the agent gets the deletion record back (status "removed")', deleted.text.slice(0, 300));
		c(stack.activatepro.users.get(USERS.grace.id), 'and Grace is untouched', '');
	} finally {
		await client.close();
	}
	await sleep(500);
	const runs = await stack.rest.executions(example.workflow.id);
	const made = calls - callsBefore;
	// n8n 2.x lists every call; n8n 1.x only those that did not fail.
	const listed = stack.runtime.n8nVersion.startsWith('1.') ? made - (failedCalls - failedBefore) : made;
	c(runs.length - executionsBefore === listed && runs.every((e) => e.status === 'success'), `the ${made} tool calls left ${listed} executions in n8n's list, none crashed`, `${runs.length - executionsBefore} executions: ${runs.map((e) => `#${e.id} ${e.status}`).join(', ')}`);
	checks.print();

	await bulkIsNoTool(stack, checks);
}

/** A flow made for this test only: the bulk operation offered as a tool must say it is not one, sending nothing. */
async function bulkIsNoTool(stack, checks) {
	const c = (ok, label, detail) => checks.check(ok, label, detail);
	checks.section('agent tools over MCP: bulk is not a tool');
	const example = stack.flows.find((f) => f.name === 'agent-tools').workflow;
	const trigger = example.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.mcpTrigger');
	const upsert = example.nodes.find((n) => n.name === 'create_or_update_user');
	const path = 'rankr-bulk-test';
	const tool = {
		...upsert,
		id: 'b5e0f3a4-0c4f-4f55-9a0e-6a3c1d2b7e01',
		name: 'bulk_sync',
		parameters: { resource: 'user', operation: 'batch', userId: "={{ $fromAI('userId', 'A user ID', 'string') }}", descriptionType: 'auto' },
	};
	const created = await stack.rest.request('POST', '/workflows', {
		name: 'e2e: bulk offered as a tool',
		nodes: [{ ...trigger, id: 'b5e0f3a4-0c4f-4f55-9a0e-6a3c1d2b7e02', webhookId: 'rankr-bulk-test-mcp', parameters: { ...trigger.parameters, path } }, tool],
		connections: { bulk_sync: { ai_tool: [[{ node: trigger.name, type: 'ai_tool', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		active: false,
	});
	await stack.rest.activate(created.id);
	const url = stack.mcp.url.replace(/[^/]+$/, path);
	await waitForWebhooks([{ name: created.name, method: 'POST', url }]);
	const client = await connectMcp(url, stack.mcp.token);
	try {
		const { tools } = await client.listTools();
		const listed = tools.find((t) => t.name === 'bulk_sync');
		c(listed?.description === 'Create update or delete users in bulk in ActivatePro User', 'its automatic description names the operation (n8n builds it from resource and operation)', JSON.stringify(listed));
		const sent = stack.activatepro.requests().length;
		const answer = await call(client, 'bulk_sync', { userId: MONA.id });
		c(answer.isError && answer.text.includes('not available as an AI tool') && answer.text.includes('Create or Update'), 'calling it: a tool error that says to use Create or Update or Delete instead', answer.text);
		c(stack.activatepro.requests().length === sent, 'and nothing reached ActivatePro', `${stack.activatepro.requests().length - sent} requests`);
	} finally {
		await client.close();
	}
	checks.print();
}
