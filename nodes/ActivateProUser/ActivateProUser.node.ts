// The ActivatePro User node: its description, and execute handed to the router. Uses actions/.
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { router } from './actions/router';
import { properties } from './actions/user';

export class ActivateProUser implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ActivatePro User',
		name: 'activateProUser',
		icon: { light: 'file:activatePro.svg', dark: 'file:activatePro.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description:
			'Create, update, delete and look up users in ActivatePro (User Management API v2), one by one or 1000 per request',
		defaults: { name: 'ActivatePro User' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'activateProApi', required: true }],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
