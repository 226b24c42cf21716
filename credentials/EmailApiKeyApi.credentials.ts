// Email API key credential: Private Integration token, location, company, Base URL, version. Uses n8n types.
import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class EmailApiKeyApi implements ICredentialType {
	name = 'emailApiKeyApi';

	displayName = 'Email API Key API';

	icon: Icon = { light: 'file:../nodes/EmailApi/emailApi.svg', dark: 'file:../nodes/EmailApi/emailApi.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-rankr/n8n-nodes-rankr/blob/main/docs/credentials.md#email-api-key-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Private Integration Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'From the Email API dashboard: Settings → Private Integrations. Give it the users, workflows, contacts and courses scopes the workflow needs.',
		},
		{
			displayName: 'Location ID',
			name: 'locationId',
			type: 'string',
			default: '',
			description: 'The sub-account (location) used when a node does not name one',
		},
		{
			displayName: 'Company ID',
			name: 'companyId',
			type: 'string',
			default: '',
			description: 'The agency (company) ID; needed to create users and to look them up by email',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://services.leadconnectorhq.com',
			description: 'Point it at the local sandbox (npm run sandbox) to run test transactions before going live',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: '2021-07-28',
			description: 'Sent as the Version header on every request',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.token}}',
				Version: '={{$credentials.apiVersion}}',
			},
		},
	};

	// Lists the location's workflows: only a rejected token (401) fails; a missing location still proves the token.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/workflows/',
			qs: { locationId: '={{$credentials.locationId}}' },
			method: 'GET',
			ignoreHttpStatusErrors: { ignore: true, except: [401, 403] },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'The Email API rejected the token, or it lacks the workflows.readonly scope: check the Private Integration token and its scopes',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: "The token may not access this location: check the Location ID and the token's scopes",
				},
			},
		],
	};
}
