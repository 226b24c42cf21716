// The Email API node: its description, execute handed to the router, the workflow list search. Uses actions/, methods/.
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { properties } from './actions/description';
import { router } from './actions/router';
import { searchWorkflows } from './methods/listSearch';

export class EmailApi implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Email API',
		name: 'emailApi',
		icon: { light: 'file:emailApi.svg', dark: 'file:emailApi.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Create and remove Email API users, upsert contacts and start email workflows (welcome, re-engagement)',
		defaults: { name: 'Email API' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'emailApiKeyApi', required: true, displayOptions: { show: { authentication: ['apiKey'] } } },
			{ name: 'rankrOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
		],
		properties,
	};

	methods = { listSearch: { searchWorkflows } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
