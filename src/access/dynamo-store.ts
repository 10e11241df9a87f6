/**
 * The deployed lake's requests and audit log in one DynamoDB table (pk, sk): requests under pk `request`
 * (sk the id), audit events under pk `event` (sk `<at>#<request>#<event>`, so a query reads them in
 * order). A request is replaced only while its stored status is the one the decision started from
 * (a condition expression), so two stewards deciding at once cannot both win. Only the API's role may write
 * the table (its resource policy).
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { AccessEvent, AccessRequest, RequestStatus } from './model.ts';
import type { AccessStore } from './store.ts';

export const REQUEST_PK = 'request';
export const EVENT_PK = 'event';

export class DynamoAccessStore implements AccessStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  private async all<T>(pk: string): Promise<T[]> {
    const out: T[] = [];
    let start: Record<string, { S: string }> | undefined;
    do {
      const r = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: pk } },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of r.Items ?? []) out.push(JSON.parse(item.doc?.S ?? 'null') as T);
      start = r.LastEvaluatedKey as typeof start;
    } while (start);
    return out;
  }

  requests(): Promise<AccessRequest[]> {
    return this.all<AccessRequest>(REQUEST_PK);
  }

  async get(id: string): Promise<AccessRequest | null> {
    const r = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { pk: { S: REQUEST_PK }, sk: { S: id } },
        ConsistentRead: true,
      }),
    );
    return r.Item?.doc?.S ? (JSON.parse(r.Item.doc.S) as AccessRequest) : null;
  }

  private item(r: AccessRequest) {
    return {
      pk: { S: REQUEST_PK },
      sk: { S: r.id },
      status: { S: r.status },
      dataset: { S: r.dataset },
      doc: { S: JSON.stringify(r) },
    };
  }

  private async put(
    r: AccessRequest,
    condition: string,
    values?: Record<string, { S: string }>,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: this.item(r),
          ConditionExpression: condition,
          ...(values
            ? { ExpressionAttributeValues: values, ExpressionAttributeNames: { '#s': 'status' } }
            : {}),
        }),
      );
      return true;
    } catch (e) {
      if (
        e instanceof ConditionalCheckFailedException ||
        (e as Error).name === 'ConditionalCheckFailedException'
      )
        return false;
      throw e;
    }
  }

  create(r: AccessRequest): Promise<boolean> {
    return this.put(r, 'attribute_not_exists(sk)');
  }

  update(r: AccessRequest, expected: RequestStatus): Promise<boolean> {
    return this.put(r, '#s = :expected', { ':expected': { S: expected } });
  }

  async append(e: AccessEvent): Promise<void> {
    await this.db.send(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          pk: { S: EVENT_PK },
          sk: { S: `${e.at}#${e.request}#${e.event}` },
          doc: { S: JSON.stringify(e) },
        },
        // The log is appended to, never rewritten.
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    );
  }

  events(): Promise<AccessEvent[]> {
    return this.all<AccessEvent>(EVENT_PK);
  }
}
