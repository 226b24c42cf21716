// Harness: the sandboxes as the scripts start them; for npm run sandbox, run-in-n8n, the demo, the real-n8n suites.
// The local stand-ins for the APIs this package talks to, as the scripts start them: `npm run sandbox`
// (standalone, for a person with n8n open), scripts/run-in-n8n.mjs, scripts/demo.mjs and the e2e test
// (in-process). One entry per API; the sandboxes themselves live in scripts/sandbox/.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The Version header HighLevel's documents give, as the Email API sandbox holds it (the harness's one copy). */
export const { DOCUMENTED_VERSION } = require('../sandbox/emailapi-sandbox.js');

/**
 * @typedef {object} SandboxDefinition
 * @property {string} name        short id, used in flags and messages
 * @property {string} title       what it imitates
 * @property {string} portEnv     env var that fixes its port
 * @property {(options: {apiKey?: string}) => import('../sandbox/sandbox-server.js').SandboxServer} create
 * @property {string} [keyEnv]    env var for the key the sandbox accepts (none: it takes no key)
 * @property {string} [defaultKey]
 * @property {{type: string, displayName: string, labels: Record<string, string>, data: (sandbox: any) => Record<string, string|number>}} credential
 *           the n8n credential that reaches this sandbox: its type, its fields' labels in n8n, their values
 */

/** @type {SandboxDefinition[]} */
export const SANDBOXES = [
	{
		name: 'activatepro',
		title: 'ActivatePro User Management API v2',
		portEnv: 'ACTIVATEPRO_PORT',
		keyEnv: 'ACTIVATEPRO_API_KEY',
		defaultKey: 'sandbox-activatepro-key',
		create: (options) => {
			const { ActivateProSandbox } = require('../sandbox/activatepro-sandbox.js');
			return new ActivateProSandbox(options);
		},
		credential: {
			type: 'activateProApi',
			displayName: 'ActivatePro API',
			labels: { apiKey: 'API Key', baseUrl: 'Base URL' },
			data: (sandbox) => ({ apiKey: sandbox.apiKey, baseUrl: sandbox.url }),
		},
	},
	{
		name: 'emailapi',
		title: 'Email API (HighLevel API v2)',
		portEnv: 'EMAILAPI_PORT',
		keyEnv: 'EMAILAPI_TOKEN',
		defaultKey: 'sandbox-emailapi-token',
		create: (options) => {
			const { EmailApiSandbox } = require('../sandbox/emailapi-sandbox.js');
			return new EmailApiSandbox(options); // options.apiKey: a token with every scope, for the default location
		},
		credential: {
			type: 'emailApiKeyApi',
			displayName: 'Email API Key API',
			labels: { token: 'Private Integration Token', locationId: 'Location ID', companyId: 'Company ID', baseUrl: 'Base URL', apiVersion: 'API Version' },
			data: (sandbox) => ({ token: sandbox.apiKey, locationId: sandbox.locationId, companyId: sandbox.companyId, baseUrl: sandbox.url, apiVersion: DOCUMENTED_VERSION }),
		},
	},
	{
		name: 'rankr',
		title: 'Rankr (signs and delivers webhook events)',
		portEnv: 'RANKR_PORT',
		create: (options) => {
			const { RankrSandbox } = require('../sandbox/rankr-sandbox.js');
			return new RankrSandbox(options); // options.retryIntervalMs: the time between retries after a 429
		},
		credential: {
			type: 'rankrWebhookApi',
			displayName: 'Rankr Webhook API',
			labels: { method: 'Verification Method', publicPem: 'Public Keys', replayWindowSeconds: 'Replay Window (Seconds)' },
			// Ed25519, as Rankr signs today: both of the sandbox's keys (an account mid-rotation).
			data: (sandbox) => ({ method: 'ed25519', publicPem: sandbox.ed25519PublicKeysPem }),
		},
	},
];

export function sandboxDefinition(name) {
	const definition = SANDBOXES.find((s) => s.name === name);
	if (!definition) throw new Error(`no sandbox named "${name}" (known: ${SANDBOXES.map((s) => s.name).join(', ')})`);
	return definition;
}

/**
 * Starts the named sandboxes on 127.0.0.1, each with the given key (or none) on the given port (0: any) and
 * any other constructor options.
 * Returns { [name]: { definition, sandbox } }; close them with closeSandboxes().
 */
export async function startSandboxes(specs) {
	const started = {};
	try {
		for (const { name, apiKey, port = 0, options = {} } of specs) {
			const definition = sandboxDefinition(name);
			const sandbox = definition.create({ ...options, apiKey });
			try {
				await sandbox.listen(port, '127.0.0.1');
			} catch (error) {
				const hint = port ? `; choose another port with ${definition.portEnv}=<port>` : '';
				throw new Error(`${definition.title} sandbox: cannot listen on 127.0.0.1:${port}: ${error.message}${hint}`);
			}
			started[name] = { definition, sandbox };
		}
	} catch (error) {
		await closeSandboxes(started);
		throw error;
	}
	return started;
}

export async function closeSandboxes(started) {
	await Promise.allSettled(Object.values(started).map(({ sandbox }) => sandbox.close()));
}

/**
 * The n8n credentials (import:credentials format) that reach the started sandboxes, under the ids and names
 * the example workflows use: refs = { [type]: { id, name } } (from exampleCredentialRefs()).
 */
export function sandboxCredentials(started, refs) {
	return Object.values(started)
		.filter(({ definition }) => refs[definition.credential.type])
		.map(({ definition, sandbox }) => ({
			...refs[definition.credential.type],
			type: definition.credential.type,
			data: definition.credential.data(sandbox),
		}));
}
