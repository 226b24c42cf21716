// The Email API sandbox as the engine tests start it, its credentials, and the check of every body against the OpenAPI documents.
import { EmailApiSandbox } from '../sandbox/emailapi';
import { requestBodyErrors } from './openapi';

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
		emailApiKeyApi: { token, baseUrl: sandbox.url!, apiVersion: '2021-07-28', locationId: sandbox.locationId, companyId: sandbox.companyId },
	};
}

/** Every body our node sent must be one HighLevel's OpenAPI documents accept. */
export function expectBodiesMatchSpec(sandbox: EmailApiSandbox) {
	const problems = sandbox
		.requests()
		.filter((r: { method: string; path: string }) => !r.path.startsWith('/oauth/') && ['POST', 'PUT'].includes(r.method))
		.flatMap((r: { method: string; path: string; rawBody: string }) => requestBodyErrors(r.method, r.path, r.rawBody));
	expect(problems).toEqual([]);
}
