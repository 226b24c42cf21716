// The local stand-ins for the APIs this package talks to, as the scripts start them: `npm run sandbox`
// (standalone, for a person with n8n open) and scripts/run-in-n8n.mjs (in-process, for the demo and CI).
// One entry per API; the Email API and Rankr join here. The sandboxes themselves live in test/sandbox/.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * @typedef {object} SandboxDefinition
 * @property {string} name        short id, used in flags and messages
 * @property {string} title       what it imitates
 * @property {string} portEnv     env var that fixes its port for `npm run sandbox`
 * @property {(options: {apiKey?: string}) => import('../../test/sandbox/http-kit.js').SandboxServer} create
 * @property {string} keyEnv      env var for the key the sandbox accepts
 * @property {string} defaultKey
 * @property {{type: string, displayName: string, labels: Record<string, string>, data: (sandbox: any) => Record<string, string>}} credential
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
			const { ActivateProSandbox } = require('../../test/sandbox/activatepro.js');
			return new ActivateProSandbox(options);
		},
		credential: {
			type: 'activateProApi',
			displayName: 'ActivatePro API',
			labels: { apiKey: 'API Key', baseUrl: 'Base URL' },
			data: (sandbox) => ({ apiKey: sandbox.apiKey, baseUrl: sandbox.url }),
		},
	},
];

export function sandboxDefinition(name) {
	const definition = SANDBOXES.find((s) => s.name === name);
	if (!definition) throw new Error(`no sandbox named "${name}" (known: ${SANDBOXES.map((s) => s.name).join(', ')})`);
	return definition;
}
