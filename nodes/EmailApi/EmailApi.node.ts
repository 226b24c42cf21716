// The Email API node: its description, execute handed to the router, the workflow list search. Uses actions/, methods/.
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { actionNodeBasics } from '../shared/description';
import { properties } from './actions/description';
import { router } from './actions/router';
import { searchCustomFields, searchWorkflows } from './methods/listSearch';

export class EmailApi implements INodeType {
	description: INodeTypeDescription = {
		...actionNodeBasics('Email API'),
		displayName: 'Email API',
		name: 'emailApi',
		icon: { light: 'file:emailApi.svg', dark: 'file:emailApi.dark.svg' },
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Create and remove Email API users, upsert contacts and start email workflows (welcome, re-engagement)',
		usableAsTool: true,
		credentials: [
			{ name: 'emailApiKeyApi', required: true, displayOptions: { show: { authentication: ['apiKey'] } } },
			{ name: 'rankrOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
		],
		properties,
	};

	methods = { listSearch: { searchCustomFields, searchWorkflows } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
