// Jest helper: the Email API sandbox as the engine tests start it, its credentials, every body checked against OpenAPI.
import { EmailApiSandbox } from '../../scripts/sandbox/emailapi-sandbox';
import { requestBodyErrors } from './openapi';

/** The Version HighLevel's documents give; the package sends it on every call. */
export const DOCUMENTED_VERSION = '2021-07-28';
export const PIT = 'pit-email-api-test-token-8d1f2c';
export const ALL_SCOPES = ['users.readonly', 'users.write', 'workflows.readonly', 'contacts.readonly', 'contacts.write', 'courses.write'];

export async function startEmailApi(options: ConstructorParameters<typeof EmailApiSandbox>[0] = {}) {
	const sandbox = new EmailApiSandbox(options);
	sandbox.addToken(PIT, { scopes: ALL_SCOPES as never[] });
	await sandbox.listen();
	return sandbox;
}

export function apiKeyCredentials(sandbox: EmailApiSandbox, token = PIT) {
	return {
		emailApiKeyApi: { token, baseUrl: sandbox.url!, apiVersion: DOCUMENTED_VERSION, locationId: sandbox.locationId, companyId: sandbox.companyId },
	};
}

/**
 * Every request our node sent meets the documents' strict form: `Version: 2021-07-28` (the sandbox also takes what
 * HighLevel's SDK sends by default, so only this check holds the package to the documented value), and every
 * body one HighLevel's OpenAPI documents accept.
 */
export function expectRequestsMeetDocuments(sandbox: EmailApiSandbox) {
	const apiRequests = sandbox.requests().filter((r: { path: string }) => !r.path.startsWith('/oauth/') && !r.path.startsWith('/__sandbox'));
	const otherVersions = apiRequests
		.filter((r: { headers: Record<string, string> }) => r.headers.version !== DOCUMENTED_VERSION)
		.map((r: { method: string; path: string; headers: Record<string, string> }) => `${r.method} ${r.path}: Version ${r.headers.version}`);
	expect(otherVersions).toEqual([]);
	const problems = apiRequests
		.filter((r: { method: string }) => ['POST', 'PUT'].includes(r.method))
		.flatMap((r: { method: string; path: string; rawBody: string }) => requestBodyErrors(r.method, r.path, r.rawBody));
	expect(problems).toEqual([]);
}
