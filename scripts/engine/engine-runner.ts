// Engine runner: the built package's nodes through n8n-core's WorkflowExecute, WebhookContext; for the jest suites and the benchmark.
// Runs a workflow through n8n-core's WorkflowExecute — real parameter and expression resolution,
// credential authentication through httpRequestWithAuthentication, continueOnFail and the error output —
// against the sandboxes over HTTP. The nodes and credentials are the ones that ship: the files package.json's
// "n8n" section lists, compiled in dist/ (`npm run build` first), each node at the version a workflow asks for.
// Nothing of our nodes is mocked.
// n8n-core reads its environment (N8N_USER_FOLDER, N8N_LOG_LEVEL) when it loads: jest sets it in test/setup-env.js,
// the benchmark in scripts/bench/engine-worker.cjs.
import { ExecuteContext, ExecutionLifecycleHooks, LoadOptionsContext, RoutingNode, WebhookContext, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowExecuteAdditionalData,
	type IConnections,
	type IVersionedNodeType,
	NodeConnectionTypes,
	NodeHelpers,
	createEmptyRunExecutionData,
} from 'n8n-workflow';

import { loadBuiltPackage } from './built-package';

/** One line our nodes wrote to n8n's logger (n8n-core hands every node context the container's Logger). */
export interface LogLine {
	level: 'debug' | 'info' | 'warn' | 'error';
	message: string;
	meta?: unknown;
}

// Every line n8n's logger is given, in order; a run's lines are the ones written while it ran (runs in one
// test file do not overlap: jest runs a file's tests one after another). The logger is the one instance n8n's
// container hands every node context; it is taken from the first context we see (importing n8n's container
// here would break the community-node lint, which judges every .ts file as node code).
const logLines: LogLine[] = [];
const capturedLoggers = new WeakSet<object>();
function captureLogs(logger: unknown) {
	if (!logger || typeof logger !== 'object' || capturedLoggers.has(logger)) return;
	capturedLoggers.add(logger);
	const methods = logger as Record<LogLine['level'], (message: string, meta?: unknown) => void>;
	for (const level of ['debug', 'info', 'warn', 'error'] as const) {
		const write = methods[level].bind(logger);
		// n8n's Logger makes its methods read-only once it is configured to write somewhere (as in the
		// benchmark's workers): there the lines are not captured, and nothing there reads them
		const descriptor = Object.getOwnPropertyDescriptor(logger, level);
		if (descriptor && !descriptor.writable && !descriptor.set) continue;
		try {
			methods[level] = (message, meta) => {
				logLines.push({ level, message, meta });
				write(message, meta);
			};
		} catch {
			// read-only by another means (a frozen object): not captured either
		}
	}
}

/** The description of a node type made for the tests (not a node of the package). */
function testNodeDescription(displayName: string, name: string, rest: Partial<INodeType['description']>): INodeType['description'] {
	return { displayName, name, group: ['transform'], version: 1, description: '', defaults: { name: displayName }, inputs: [NodeConnectionTypes.Main], outputs: [NodeConnectionTypes.Main], properties: [], ...rest };
}

/** Emits the items given in its `items` parameter: the start of every test workflow. */
class TestItems implements INodeType {
	description = testNodeDescription('Test Items', 'testItems', { inputs: [], properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }] });

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		captureLogs(this.logger); // the first node of every test workflow: before the subject logs anything
		const raw = this.getNode().parameters.items;
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw ?? []) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

/** Collects whatever reaches it; used on the success and the error output. */
class TestCollect implements INodeType {
	description = testNodeDescription('Test Collect', 'testCollect', {});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

type NodeTypeOfPackage = INodeType | IVersionedNodeType;

let registry: { nodes: Record<string, NodeTypeOfPackage>; credentials: Record<string, ICredentialType> } | undefined;

/**
 * The node and credential types the runner knows: the built package (package.json's "n8n" section, loaded from
 * dist/ by ./built-package.js: the classes n8n would load), the two test nodes, and n8n's own `oAuth2Api`, which
 * RankrOAuth2Api extends (a stub: only its name matters here). Loaded on first use; a missing or stale build
 * fails here with "run `npm run build` first".
 */
function types() {
	if (!registry) {
		const built = loadBuiltPackage();
		registry = {
			nodes: { ...built.nodes, 'test.items': new TestItems(), 'test.collect': new TestCollect() },
			credentials: { ...built.credentials, oAuth2Api: { name: 'oAuth2Api', displayName: 'OAuth2 API', properties: [] } },
		};
	}
	return registry;
}

/** Puts a node type in place of (or beside) the package's, e.g. a wrapped one (the benchmark measures its execute()). */
export function registerNodeType(type: string, node: NodeTypeOfPackage) {
	types().nodes[type] = node;
}
export function registerCredentialType(credential: ICredentialType) {
	types().credentials[credential.name] = credential;
}

/** A node type as n8n hands it to a run: the given version of a versioned node (NodeHelpers.getVersionedNodeType). */
export function nodeType(type: string, version?: number): INodeType {
	const known = types().nodes[type];
	if (!known) throw new Error(`unknown node type ${type} (known: ${Object.keys(types().nodes).join(', ')})`);
	return NodeHelpers.getVersionedNodeType(known, version);
}

/** A credential type of the package (or n8n's oAuth2Api stub), by name. */
export function credentialType(name: string): ICredentialType | undefined {
	return types().credentials[name];
}

const nodeTypes: INodeTypes = {
	getByName: (type) => types().nodes[type],
	// an unknown type: undefined, which n8n-core reports as it does for a node that is not installed
	getByNameAndVersion: (type, version) => (types().nodes[type] ? nodeType(type, version) : (undefined as unknown as INodeType)),
	getKnownTypes: () => ({}),
};

/** Resolves the `={{$credentials.x}}` templates of a generic `authenticate` the way n8n does. */
function resolveTemplate(value: string, credentials: ICredentialDataDecryptedObject): string {
	const text = value.startsWith('=') ? value.slice(1) : value;
	return text.replace(/\{\{\s*\$credentials\.([A-Za-z0-9_]+)\s*\}\}/g, (_, key: string) => String(credentials[key] ?? ''));
}

class TestCredentialsHelper extends ICredentialsHelper {
	/** How often a credential was loaded (n8n reads it from its database and decrypts it each time). */
	reads = 0;

	constructor(private readonly store: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}
	getParentTypes(name: string): string[] {
		const extendsList = credentialType(name)?.extends ?? [];
		return [...extendsList, ...extendsList.flatMap((p) => this.getParentTypes(p))];
	}
	isCredentialUsableByNode(): boolean {
		return true;
	}
	async authenticate(credentials: ICredentialDataDecryptedObject, typeName: string, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const auth = credentialType(typeName)?.authenticate;
		if (!auth || typeof auth === 'function') return typeof auth === 'function' ? auth(credentials, requestOptions) : requestOptions;
		const headers = (auth.properties.headers ?? {}) as Record<string, string>;
		requestOptions.headers = { ...(requestOptions.headers ?? {}) };
		for (const [name, value] of Object.entries(headers)) requestOptions.headers[name] = resolveTemplate(String(value), credentials);
		return requestOptions;
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials(): Promise<never> {
		throw new Error('not used');
	}
	async getDecrypted(_: IWorkflowExecuteAdditionalData, nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
		this.reads++;
		const data = this.store[type];
		if (!data) throw new Error(`No test credential of type ${type} (${nodeCredentials.name})`);
		return { ...data };
	}
	async updateCredentials(_: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		this.store[type] = data;
	}
	async updateCredentialsOauthTokenData(_: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		this.store[type] = data;
	}
	getCredentialsProperties(type: string) {
		return credentialType(type)?.properties ?? [];
	}
}

export type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

export interface RunNodeOptions {
	/** Node type, e.g. n8n-nodes-rankr.activateProUser */
	type: string;
	/** The node's version in the workflow (its typeVersion), 1 unless given. */
	typeVersion?: number;
	parameters: Record<string, unknown>;
	/** Input items for the node. */
	items: Array<Record<string, unknown>>;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	onError?: OnError;
}

export interface NodeRun {
	run: IRun;
	/** Items on the node's success output (output 0). */
	success: INodeExecutionData[];
	/** Items on the error output (with onError = continueErrorOutput). */
	errors: INodeExecutionData[];
	/** The node's error, when the workflow stopped on it. */
	error?: Error & { description?: string; context?: IDataObject };
	/** Everything the workflow's run produced, serialised as n8n would store it (for secret scans). */
	serialized: string;
	/** Credential loads during the run (ours and those of n8n's request helper). */
	credentialReads: number;
	/** What the nodes logged during the run. */
	logs: LogLine[];
}

function makeAdditionalData(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	nodes: INode[],
	connections: IConnections,
): IWorkflowExecuteAdditionalData {
	const hooks = new ExecutionLifecycleHooks('manual', 'test-exec', { id: 'test-wf', name: 'test', nodes, connections, active: false, settings: {} } as never);
	return {
		credentialsHelper: new TestCredentialsHelper(JSON.parse(JSON.stringify(credentials))),
		hooks,
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formBaseUrl: 'http://localhost:5678/form',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		formTestBaseUrl: 'http://localhost:5678/form-test',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		mcpBaseUrl: 'http://localhost:5678/mcp',
		mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
		variables: {},
		logAiEvent: () => undefined,
		startRunnerTask: async () => {
			throw new Error('not used');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}


/** The secret values of credentials: password fields, OAuth tokens, client secrets. */
export function secretsOf(credentials: Record<string, ICredentialDataDecryptedObject>): string[] {
	const secrets: string[] = [];
	for (const [type, data] of Object.entries(credentials)) {
		for (const property of credentialType(type)?.properties ?? []) {
			if (property.typeOptions?.password && typeof data[property.name] === 'string') secrets.push(data[property.name] as string);
		}
		if (typeof data.clientSecret === 'string') secrets.push(data.clientSecret);
		const token = data.oauthTokenData as IDataObject | undefined;
		for (const key of ['access_token', 'refresh_token']) if (typeof token?.[key] === 'string') secrets.push(token[key] as string);
	}
	return secrets.filter((s) => s.length >= 6);
}

export let secretScans = 0;
export function assertNoSecrets(text: string, credentials: Record<string, ICredentialDataDecryptedObject>) {
	secretScans++;
	for (const secret of secretsOf(credentials)) {
		if (text.includes(secret)) throw new Error(`A credential secret (${secret.slice(0, 3)}…) appears in the run's output or errors`);
	}
}

/** Runs Test Items → the node (→ collectors on both outputs) through WorkflowExecute. */
export async function runNode(options: RunNodeOptions): Promise<NodeRun> {
	const credentialRefs: Record<string, { id: string; name: string }> = {};
	for (const type of Object.keys(options.credentials)) credentialRefs[type] = { id: `${type}-id`, name: `${type} test` };
	const nodes: INode[] = [
		{ id: 'start', name: 'Start', type: 'test.items', typeVersion: 1, position: [0, 0], parameters: { items: options.items as never } },
		{
			id: 'subject',
			name: 'Subject',
			type: options.type,
			typeVersion: options.typeVersion ?? 1,
			position: [200, 0],
			parameters: options.parameters as INode['parameters'],
			credentials: credentialRefs,
			onError: options.onError ?? 'stopWorkflow',
		},
		{ id: 'ok', name: 'Success', type: 'test.collect', typeVersion: 1, position: [400, 0], parameters: {} },
		{ id: 'ko', name: 'Errors', type: 'test.collect', typeVersion: 1, position: [400, 200], parameters: {} },
	];
	const subjectOutputs = [[{ node: 'Success', type: NodeConnectionTypes.Main, index: 0 }]];
	if (options.onError === 'continueErrorOutput') subjectOutputs.push([{ node: 'Errors', type: NodeConnectionTypes.Main, index: 0 }]);
	const connections: IConnections = {
		Start: { main: [[{ node: 'Subject', type: NodeConnectionTypes.Main, index: 0 }]] },
		Subject: { main: subjectOutputs },
	};
	const workflow = new Workflow({ id: 'test-wf', name: 'test', nodes, connections, active: false, nodeTypes, settings: { executionOrder: 'v1' } });
	const additionalData = makeAdditionalData(options.credentials, nodes, connections);

	const firstLog = logLines.length;
	const execute = new WorkflowExecute(additionalData, 'manual');
	const run = await execute.run({ workflow, startNode: nodes[0] });
	// Every run of every test is scanned for the credentials' secrets: a hit fails that test.
	assertNoSecrets(JSON.stringify(run.data), options.credentials);
	const runData = run.data.resultData.runData;
	const subject = runData.Subject?.[0];
	const main = subject?.data?.main ?? [];
	return {
		run,
		success: (main[0] ?? []) as INodeExecutionData[],
		errors: options.onError === 'continueErrorOutput' ? ((main[1] ?? []) as INodeExecutionData[]) : [],
		error: (subject?.error ?? run.data.resultData.error) as NodeRun['error'],
		serialized: JSON.stringify(run.data),
		credentialReads: (additionalData.credentialsHelper as TestCredentialsHelper).reads,
		logs: logLines.slice(firstLog),
	};
}

/**
 * Runs a credential type's `test` request the way n8n's credential tester does: through n8n-core's
 * RoutingNode (real expression resolution, authentication and status handling), then n8n's rules:
 * a failing status that matches a `responseCode` rule gives that rule's message.
 */
export async function testCredential(type: string, data: ICredentialDataDecryptedObject): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const test = credentialType(type)?.test;
	if (!test) return { status: 'Error', message: 'No testing function found for this credential.' };
	const probeType: INodeType = {
		description: testNodeDescription('Temp', 'tempCredentialTest', {
			credentials: [{ name: type, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request: test.request } }],
		}),
	};
	const credentials = { [type]: { id: `${type}-id`, name: 'test' } };
	const node: INode = { id: 'temp', name: 'Temp-Node', type: 'tempCredentialTest', typeVersion: 1, position: [0, 0], parameters: {}, credentials };
	const types: INodeTypes = { getByName: () => probeType, getByNameAndVersion: () => probeType, getKnownTypes: () => ({}) };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: types });
	const additionalData = makeAdditionalData({ [type]: data }, [node], {});
	const context = new ExecuteContext(workflow, node, additionalData, 'internal', createEmptyRunExecutionData(), 0, [], { main: [[{ json: {} }]] }, { node, data: {}, source: null }, []);
	try {
		await new RoutingNode(context, probeType, { id: `${type}-id`, name: 'test', type, data }).runNode();
	} catch (error) {
		const status = (error as { cause?: { response?: { status?: number } } }).cause?.response?.status;
		for (const rule of test.rules ?? []) {
			if (rule.type === 'responseCode' && rule.properties.value === status) return { status: 'Error', message: rule.properties.message };
		}
		return { status: 'Error', message: status ? `Received HTTP status code: ${status}` : (error as Error).message };
	}
	return { status: 'OK', message: 'Connection successful!' };
}

export interface WebhookCall {
	parameters: Record<string, unknown>;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	headers: Record<string, string>;
	rawBody: Buffer | string;
	/** 'webhook' (production URL, the default) or 'manual' (the editor's "Listen for test event"). */
	mode?: 'webhook' | 'manual';
	workflowId?: string;
	/** The trigger's version in the workflow (its typeVersion), 1 unless given. */
	typeVersion?: number;
	/**
	 * What n8n does with a run the trigger hands over, as n8n 2.x does it (webhook-helpers: an onReceived answer
	 * is deferred until WorkflowRunner.run has saved/queued the execution): 'taken' (default) answers 200 with
	 * the node's webhookResponse; 'fails' answers 500 as n8n does when it cannot start the run; 'held' answers
	 * nothing until `release` is called (`drop` closes the connection before that, as a proxy's time-out does).
	 */
	handOver?: 'taken' | 'fails' | 'held';
}

export interface WebhookResult {
	/** What the HTTP caller got when the node answered itself (401, 200 ignored…), else undefined. */
	response?: { status: number; body: unknown; headers?: Record<string, string> };
	/** Items that would start the workflow (undefined: no execution). */
	items?: INodeExecutionData[];
	/** What the trigger logged for this delivery. */
	logs: LogLine[];
	/** With handOver 'held': ends the hand-over now, as 'taken' or 'fails' would have. */
	release?: (outcome: 'taken' | 'fails') => void;
	/** With handOver 'held': the connection closes before n8n answers (n8n still answers on release). */
	drop?: () => void;
}

/** Delivers one request to the Rankr Trigger's webhook() through n8n-core's WebhookContext. */
export async function callWebhook(call: WebhookCall): Promise<WebhookResult> {
	const credentials = Object.fromEntries(Object.keys(call.credentials).map((t) => [t, { id: `${t}-id`, name: 'test' }]));
	const parameters = call.parameters as INode['parameters'];
	const node: INode = { id: 'trigger', name: 'Rankr Trigger', type: 'n8n-nodes-rankr.rankrTrigger', typeVersion: call.typeVersion ?? 1, position: [0, 0], parameters, credentials, webhookId: 'hook-1' };
	const workflowId = call.workflowId ?? 'wf';
	const workflow = new Workflow({ id: workflowId, nodes: [node], connections: {}, active: true, nodeTypes, settings: { executionOrder: 'v1' } });
	const additionalData = makeAdditionalData(call.credentials, [node], {});
	const raw = Buffer.isBuffer(call.rawBody) ? call.rawBody : Buffer.from(call.rawBody, 'utf8');
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw.toString('utf8'));
	} catch {
		parsed = {};
	}
	const headers = Object.fromEntries(Object.entries(call.headers).map(([k, v]) => [k.toLowerCase(), v]));
	const response: { status: number; body: unknown; headers: Record<string, string> } = { status: 200, body: undefined, headers: {} };
	// An express-like response: status/json/setHeader as the node uses them, and the statusCode and
	// writableEnded/writableFinished a Node ServerResponse has (finished: the answer reached the sender).
	const res = {
		statusCode: 200,
		status(code: number) {
			response.status = code;
			res.statusCode = code;
			return res;
		},
		json(body: unknown) {
			response.body = body;
			return res.end();
		},
		send(body: unknown) {
			response.body = body;
			return res.end();
		},
		end(): unknown {
			if (res.writableEnded) return res;
			res.writableEnded = true;
			if (res.destroyed) return res; // written to a connection that is gone: nobody receives it
			res.writableFinished = true;
			return res;
		},
		writableEnded: false,
		writableFinished: false,
		destroyed: false,
		setHeader(name: string, value: string) {
			response.headers[name.toLowerCase()] = value;
			return res;
		},
	};
	Object.assign(additionalData, {
		httpRequest: { headers, body: parsed, rawBody: raw, method: 'POST', query: {}, params: {} },
		httpResponse: res,
	});
	const webhookData = { httpMethod: 'POST', node: node.name, path: 'hook-1/rankr', webhookDescription: {}, workflowId } as never;
	const context = new WebhookContext(workflow, node, additionalData, call.mode ?? 'webhook', webhookData, [], null);
	captureLogs(context.logger);
	const firstLog = logLines.length;
	const result = await nodeType(node.type, node.typeVersion).webhook!.call(context);
	assertNoSecrets(JSON.stringify({ response, items: result.workflowData }), call.credentials);
	// n8n answers for the node when it did not answer itself (the hand-over above).
	const answerFor = (outcome: 'taken' | 'fails') => {
		if (outcome === 'taken') res.status(200).json(result.webhookResponse ?? { message: 'Workflow was started' });
		else res.status(500).json({ code: 0, message: 'There was a problem executing the workflow' });
	};
	let release: WebhookResult['release'];
	let drop: WebhookResult['drop'];
	if (!result.noWebhookResponse) {
		const handOver = call.handOver ?? 'taken';
		if (handOver === 'held') {
			release = answerFor;
			drop = () => {
				res.destroyed = true;
			};
		} else answerFor(handOver);
	}
	const { headers: answeredHeaders, ...answered } = response;
	return {
		response: res.writableFinished ? (Object.keys(answeredHeaders).length ? { ...answered, headers: answeredHeaders } : answered) : undefined,
		items: result.workflowData?.[0],
		logs: logLines.slice(firstLog),
		release,
		drop,
	};
}

/** Calls a node's listSearch method the way the editor does, through n8n-core's LoadOptionsContext. */
export async function listSearch(
	type: string,
	method: string,
	parameters: Record<string, unknown>,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	filter?: string,
) {
	const node: INode = {
		id: 'subject',
		name: 'Subject',
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		credentials: Object.fromEntries(Object.keys(credentials).map((t) => [t, { id: `${t}-id`, name: 'test' }])),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const context = new LoadOptionsContext(workflow, node, makeAdditionalData(credentials, [node], {}), 'parameters');
	const fn = nodeType(type, node.typeVersion).methods?.listSearch?.[method];
	if (!fn) throw new Error(`no listSearch ${method} on ${type}`);
	return fn.call(context, filter);
}
