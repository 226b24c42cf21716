// Jest (examples): every way into an example workflow from outside refuses strangers — read from the files.
// What the nodes do with a stranger is run in real n8n: the page webhook in test/queue (scenario b), the status
// dashboard and the Rankr triggers in test/e2e/flows.e2e.mjs, the MCP endpoint in test/e2e/agent-tools.mjs.
import { listRepoDir, readRepoFile } from '../helpers/repo-files';

interface ExampleNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id?: string }>;
}

const examples = (listRepoDir('examples') as string[])
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({ file, nodes: (JSON.parse(readRepoFile(`examples/${file}`)) as { nodes: ExampleNode[] }).nodes }));

/**
 * Node types that open an address to the outside, and the credential each must carry to refuse strangers: n8n's
 * Webhook node by its Authentication (anything but None), the MCP Server Trigger likewise, our trigger by the
 * signature it verifies.
 */
const AUTH_CREDENTIAL: Record<string, Record<string, string>> = {
	'n8n-nodes-base.webhook': { basicAuth: 'httpBasicAuth', headerAuth: 'httpHeaderAuth', jwtAuth: 'jwtAuth' },
	'@n8n/n8n-nodes-langchain.mcpTrigger': { bearerAuth: 'httpBearerAuth', headerAuth: 'httpHeaderAuth' },
};
const SIGNED: Record<string, string> = { 'n8n-nodes-rankr.rankrTrigger': 'rankrWebhookApi' };
/** Open to anyone by design: none of these may be in an example. */
const OPEN_BY_DESIGN = ['n8n-nodes-base.formTrigger', '@n8n/n8n-nodes-langchain.chatTrigger'];

const entries = examples.flatMap(({ file, nodes }) =>
	nodes.filter((n) => n.type in AUTH_CREDENTIAL || n.type in SIGNED || OPEN_BY_DESIGN.includes(n.type)).map((node) => ({ file, node })),
);

test('the examples open addresses to the outside (the list below is not empty)', () => {
	expect(entries.map(({ file, node }) => `${file}: ${node.name}`)).toEqual(
		expect.arrayContaining(['bulk-sync.json: A page to sync', 'status-dashboard.json: Status page request', 'agent-tools.json: MCP Server Trigger']),
	);
});

test.each(entries.map(({ file, node }) => [`${file}: ${node.name}`, node] as const))('%s refuses strangers', (_, node) => {
	expect(OPEN_BY_DESIGN).not.toContain(node.type);
	if (node.type in SIGNED) {
		expect(node.credentials?.[SIGNED[node.type]]?.id).toBeTruthy();
		return;
	}
	const authentication = String(node.parameters.authentication ?? 'none');
	const credential = AUTH_CREDENTIAL[node.type][authentication];
	expect({ authentication, credential }).toEqual({ authentication, credential: expect.any(String) });
	expect(node.credentials?.[credential]?.id).toBeTruthy();
});

test("the bulk sync's hand-out sends the same key its page webhook checks", () => {
	const nodes = examples.find((e) => e.file === 'bulk-sync.json')!.nodes;
	const webhook = nodes.find((n) => n.type === 'n8n-nodes-base.webhook')!;
	const handOut = nodes.find((n) => n.type === 'n8n-nodes-base.httpRequest')!;
	expect(handOut.parameters).toMatchObject({ authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth' });
	expect(handOut.credentials?.httpHeaderAuth?.id).toBe(webhook.credentials?.httpHeaderAuth?.id);
});
