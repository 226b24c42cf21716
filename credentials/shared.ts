// Shared by the credentials: the key test both API-key credentials run, their secret field, the Email API fields
// both Email API credentials offer and their defaults (the Email API node falls back on them). Uses n8n types only.
import type { ICredentialTestRequest, IDataObject, INodeProperties } from 'n8n-workflow';

/** HighLevel's API and the Version header it is called with, where a credential names none. */
export const EMAIL_API_DEFAULTS = {
	baseUrl: 'https://services.leadconnectorhq.com',
	apiVersion: '2021-07-28',
} as const;

/**
 * A credential test that reads something harmless and fails only when the API refuses the key: 401 and 403,
 * each with what to check. Any other answer (a 404 for an ID that cannot exist) proves the key, and nothing is
 * ever written.
 */
export function refusedKeyTest(
	request: { url: string; qs?: IDataObject },
	refused: { 401: string; 403: string },
): ICredentialTestRequest {
	return {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			...request,
			method: 'GET',
			ignoreHttpStatusErrors: { ignore: true, except: [401, 403] },
		},
		rules: ([401, 403] as const).map((value) => ({
			type: 'responseCode' as const,
			properties: { value, message: refused[value] },
		})),
	};
}

/** A secret the credential holds: required, and masked in n8n's editor and API answers (a password field). */
export function secretField(displayName: string, name: string, description: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		description,
	};
}

/**
 * The Email API fields after the token: location, company (each credential says where they come from when
 * empty), Base URL and API version.
 */
export function emailApiFields(describe: { locationId: string; companyId: string }): INodeProperties[] {
	return [
		{
			displayName: 'Location ID',
			name: 'locationId',
			type: 'string',
			default: '',
			description: describe.locationId,
		},
		{
			displayName: 'Company ID',
			name: 'companyId',
			type: 'string',
			default: '',
			description: describe.companyId,
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: EMAIL_API_DEFAULTS.baseUrl,
			description: 'Point it at the local sandbox (npm run sandbox) to run test transactions before going live',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: EMAIL_API_DEFAULTS.apiVersion,
			description: 'Sent as the Version header on every request',
		},
	];
}
