import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { isObjectName, isPartialName, isTransient, TargetError, type RemoteObject, type Target } from './target.js';

export interface S3Options {
  /** empty for AWS itself */
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  pathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  timeoutMs?: number;
}

/**
 * An S3-compatible bucket (AWS, Backblaze B2, Wasabi, MinIO…). One PutObject per
 * object: S3 makes an object visible only once its whole body arrived, so an upload
 * cut off leaves nothing under the name. Objects up to 5 GB.
 */
export class S3Target implements Target {
  readonly label: string;
  private client: S3Client | null = null;

  constructor(private readonly options: S3Options) {
    const where = options.endpoint ? ` at ${options.endpoint}` : '';
    this.label = `s3://${options.bucket}/${this.prefix}${where}`;
  }

  private get prefix(): string {
    const p = this.options.prefix.replace(/^\/+|\/+$/g, '');
    return p ? `${p}/` : '';
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  private s3(): S3Client {
    if (!this.client) throw new TargetError(`Not connected to ${this.label}.`, true);
    return this.client;
  }

  async connect(): Promise<void> {
    await this.close();
    const { options } = this;
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint || undefined,
      forcePathStyle: options.pathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // the copy engine retries with a fresh stream; the SDK cannot rewind one
      maxAttempts: 1,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { requestTimeout: options.timeoutMs ?? 120_000, connectionTimeout: 15_000 },
    });
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: options.bucket }));
    } catch (err) {
      const explained = this.explain(err);
      await this.close();
      throw explained;
    }
  }

  explain(err: unknown): TargetError {
    if (err instanceof TargetError) return err;
    const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    const where = this.options.endpoint || 'AWS';
    if (status === 403 || e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch' || e.name === 'AccessDenied') {
      return new TargetError(`${where} refused the access key ${this.options.accessKeyId} for bucket ${this.options.bucket} (wrong key, wrong secret, or no permission).`, false);
    }
    if (status === 404 || e.name === 'NoSuchBucket' || e.name === 'NotFound') {
      return new TargetError(`There is no bucket ${this.options.bucket} at ${where} (or not in region ${this.options.region}).`, false);
    }
    if (status === 301 || e.name === 'PermanentRedirect') {
      return new TargetError(`The bucket ${this.options.bucket} is in another region than ${this.options.region}.`, false);
    }
    if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(e.message ?? '')) return new TargetError(`Nothing answers at ${where} (connection refused).`, true);
    if (e.code === 'ENOTFOUND' || /ENOTFOUND/.test(e.message ?? '')) return new TargetError(`The name in ${where} cannot be found (DNS).`, true);
    return new TargetError(`${this.label}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message ?? String(err)}`, isTransient(err));
  }

  async close(): Promise<void> {
    this.client?.destroy();
    this.client = null;
  }

  private async listAll(): Promise<{ objects: RemoteObject[]; partials: string[] }> {
    const objects: RemoteObject[] = [];
    const partials: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3().send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: this.prefix, ContinuationToken: token }));
      for (const item of page.Contents ?? []) {
        const name = (item.Key ?? '').slice(this.prefix.length);
        if (isPartialName(name)) partials.push(name);
        else if (isObjectName(name)) objects.push({ name, size: item.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { objects, partials };
  }

  scan(): Promise<{ objects: RemoteObject[]; partials: string[] }> {
    return this.listAll();
  }

  async list(): Promise<RemoteObject[]> {
    return (await this.listAll()).objects;
  }

  async listPartials(): Promise<string[]> {
    return (await this.listAll()).partials;
  }

  async stat(name: string): Promise<RemoteObject | null> {
    try {
      const head = await this.s3().send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(name) }));
      return { name, size: head.ContentLength ?? 0 };
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return null;
      throw err;
    }
  }

  async put(name: string, body: () => Readable, size: number): Promise<void> {
    await this.s3().send(
      new PutObjectCommand({ Bucket: this.options.bucket, Key: this.key(name), Body: body(), ContentLength: size, ContentType: 'application/octet-stream' }),
    );
  }

  async get(name: string): Promise<Readable> {
    const result = await this.s3().send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(name) }));
    if (!result.Body) throw new TargetError(`${name} came back empty from ${this.label}.`, true);
    return result.Body as Readable;
  }

  async delete(name: string): Promise<void> {
    await this.s3().send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(name) }));
  }
}
