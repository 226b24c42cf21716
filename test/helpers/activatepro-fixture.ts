// Jest helper: the ActivatePro sandbox as the engine tests start it, and the credentials that point at it.
import { ActivateProSandbox } from '../../scripts/sandbox/activatepro-sandbox';

export const AP_KEY = 'ap-dummy-key-7f3c9a1e5b';

export async function startActivatePro(options: ConstructorParameters<typeof ActivateProSandbox>[0] = {}) {
	const sandbox = new ActivateProSandbox({ apiKey: AP_KEY, processingDelayMs: 20, ...options });
	await sandbox.listen();
	return sandbox;
}

export function apCredentials(sandbox: ActivateProSandbox, apiKey = AP_KEY) {
	return { activateProApi: { apiKey, baseUrl: sandbox.url! } };
}
