// The ActivatePro User node: its description, and execute handed to the router. Uses actions/.
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { actionNodeBasics } from '../shared/description';
import { router } from './actions/router';
import { properties } from './actions/user';

export class ActivateProUser implements INodeType {
	description: INodeTypeDescription = {
		...actionNodeBasics('ActivatePro User'),
		displayName: 'ActivatePro User',
		name: 'activateProUser',
		icon: { light: 'file:activatePro.svg', dark: 'file:activatePro.dark.svg' },
		subtitle: '={{ $parameter["operation"] }}',
		description:
			'Create, update, delete and look up users in ActivatePro (User Management API v2), one by one or 1000 per request',
		usableAsTool: true,
		credentials: [{ name: 'activateProApi', required: true }],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
