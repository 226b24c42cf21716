// Email API → Course → Import: POST /courses/courses-exporter/public/import. Uses transport, answers, common,
// shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { inputError, itemLabel } from '../../../shared/errors';
import { emailApiError, isSuccess } from '../../answers';
import { emailApiRequest, emailApiSettings } from '../../transport';
import { locationField, locationOf, parseJsonParameter } from '../common';

const show = { resource: ['course'], operation: ['import'] };

export const properties: INodeProperties[] = [
	locationField(show),
	{
		displayName: 'Products (JSON)',
		name: 'productsJson',
		type: 'json',
		required: true,
		default:
			'[\n  {\n    "title": "Onboarding",\n    "description": "Getting started",\n    "categories": [{ "title": "Week 1", "visibility": "published", "posts": [] }]\n  }\n]',
		description: 'The courses (products) to import, each with title, description and categories',
		displayOptions: { show },
	},
	{
		displayName: 'User ID',
		name: 'courseUserId',
		type: 'string',
		default: '',
		description: 'Optional: the user the import is made for',
		displayOptions: { show },
	},
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = { name: 'Import', value: 'import', action: 'Import courses' };

/** POST /courses/courses-exporter/public/import */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const settings = await emailApiSettings(this);
	const products = parseJsonParameter(
		this,
		this.getNodeParameter('productsJson', itemIndex, '[]'),
		'Products (JSON)',
		itemIndex,
		'array',
	) as IDataObject[];
	if (products.length === 0)
		throw inputError(this.getNode(), `"Products (JSON)" holds no course (${itemLabel(itemIndex)})`, itemIndex);
	products.forEach((product, i) => {
		const missing = ['title', 'description', 'categories'].filter(
			(key) => product?.[key] === undefined || product?.[key] === '',
		);
		if (missing.length || !Array.isArray(product.categories)) {
			throw inputError(
				this.getNode(),
				`Course ${i + 1} in "Products (JSON)" lacks ${missing.length ? missing.join(', ') : 'a categories list'} (${itemLabel(itemIndex)})`,
				itemIndex,
				'Every product needs a title, a description and a list of categories.',
			);
		}
	});
	const body: IDataObject = { locationId: locationOf(this, settings, itemIndex), products };
	const userId = String(this.getNodeParameter('courseUserId', itemIndex, '') ?? '').trim();
	if (userId) body.userId = userId;
	// Not idempotent: an import sent twice imports the courses twice, and the API has no way to look one up.
	const answer = await emailApiRequest(
		this,
		{
			method: 'POST',
			idempotent: false,
			path: '/courses/courses-exporter/public/import',
			body,
			itemIndex,
			ifUnsure: {
				action: `Importing ${products.length} course${products.length === 1 ? '' : 's'} into location ${String(body.locationId)}`,
				check:
					"Not sent again, so that the courses are not imported twice. Look at the location's courses in HighLevel (Memberships → Courses) before running this item again.",
			},
		},
		settings,
	);
	if (!isSuccess(answer))
		throw emailApiError(this.getNode(), answer, { action: 'import the courses', scope: 'courses.write', itemIndex });
	return {
		imported: true,
		locationId: body.locationId,
		products: products.length,
		...((answer.body as IDataObject) ?? {}),
	};
}
