import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { isObjectName, isPartialName, isTransient, partialName, TargetError, type RemoteObject, type Target } from './target.js';

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
  /** objects from this size go up in parts (default MULTIPART_FROM) */
  multipartFrom?: number;
  /** the size of a part (default PART_BYTES; S3 wants at least 5 MiB but for the last) */
  partBytes?: number;
}

export const MULTIPART_FROM = 64 * 1024 * 1024;
export const PART_BYTES = 16 * 1024 * 1024;

interface Upload {
  uploadId: string;
  size: number;
  parts: { PartNumber: number; ETag: string }[];
}

/**
 * An S3-compatible bucket (AWS, Backblaze B2, Wasabi, MinIO…). A small object is one
 * PutObject; a large one (a backup file) a multipart upload, whose parts already
 * stored are kept when the connection drops, so the copy's next attempt sends only
 * the rest. Either way S3 makes an object visible only once all of it arrived, so an
 * upload cut off leaves nothing under the name. Uploads a crash left unfinished are
 * listed as temporary objects and aborted by the next copy (where the service lists
 * them: S3 does; a bucket lifecycle rule "abort incomplete multipart uploads" does
 * the same everywhere).
 */
export class S3Target implements Target {
  readonly label: string;
  private client: S3Client | null = null;
  /** multipart uploads under way, by object name: what a retry after a dropped connection goes on with */
  private readonly uploads = new Map<string, Upload>();
  /** unfinished uploads found by a scan, by the temporary name they are listed under */
  private readonly stale = new Map<string, { key: string; uploadId: string }>();

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
    partials.push(...(await this.unfinishedUploads()));
    return { objects, partials };
  }

  /** Multipart uploads nobody finished (a crash), as temporary names; none where the service cannot list them. */
  private async unfinishedUploads(): Promise<string[]> {
    const names: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    try {
      do {
        const page = await this.s3().send(
          new ListMultipartUploadsCommand({ Bucket: this.options.bucket, Prefix: this.prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
        );
        for (const u of page.Uploads ?? []) {
          if (!u.Key || !u.UploadId || [...this.uploads.values()].some((x) => x.uploadId === u.UploadId)) continue;
          const name = partialName(u.Key.slice(this.prefix.length), `upload-${names.length}`);
          this.stale.set(name, { key: u.Key, uploadId: u.UploadId });
          names.push(name);
        }
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
      } while (keyMarker);
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      const unsupported = e.name === 'NotImplemented' || e.$metadata?.httpStatusCode === 501;
      if (!unsupported && isTransient(err)) throw err;
      // a service without ListMultipartUploads (or no right to it): its lifecycle rules clean up
    }
    return names;
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

  async put(name: string, body: (start?: number, end?: number) => Readable, size: number): Promise<void> {
    if (size < (this.options.multipartFrom ?? MULTIPART_FROM)) {
      await this.s3().send(
        new PutObjectCommand({ Bucket: this.options.bucket, Key: this.key(name), Body: body(), ContentLength: size, ContentType: 'application/octet-stream' }),
      );
      return;
    }
    const { bucket } = this.options;
    const Key = this.key(name);
    let upload = this.uploads.get(name);
    if (!upload || upload.size !== size) {
      const created = await this.s3().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key, ContentType: 'application/octet-stream' }));
      if (!created.UploadId) throw new TargetError(`${this.label} did not start the upload of ${name}.`, true);
      upload = { uploadId: created.UploadId, size, parts: [] };
      this.uploads.set(name, upload);
    }
    const partBytes = this.options.partBytes ?? PART_BYTES;
    const count = Math.ceil(size / partBytes);
    // the parts stored before a dropped connection stay: only the rest is sent
    for (let n = upload.parts.length + 1; n <= count; n++) {
      const start = (n - 1) * partBytes;
      const end = Math.min(size, start + partBytes);
      const sent = await this.s3().send(
        new UploadPartCommand({ Bucket: bucket, Key, UploadId: upload.uploadId, PartNumber: n, Body: body(start, end), ContentLength: end - start }),
      );
      if (!sent.ETag) throw new TargetError(`${this.label} did not confirm part ${n} of ${name}.`, true);
      upload.parts.push({ PartNumber: n, ETag: sent.ETag });
    }
    try {
      await this.s3().send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId: upload.uploadId, MultipartUpload: { Parts: upload.parts } }));
    } catch (err) {
      // an upload the service no longer knows (it was aborted, or expired): the next attempt starts it again
      if ((err as { name?: string }).name === 'NoSuchUpload') this.uploads.delete(name);
      throw err;
    }
    this.uploads.delete(name);
  }


  async get(name: string): Promise<Readable> {
    const result = await this.s3().send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(name) }));
    if (!result.Body) throw new TargetError(`${name} came back empty from ${this.label}.`, true);
    return result.Body as Readable;
  }

  async delete(name: string): Promise<void> {
    const stale = this.stale.get(name);
    if (stale) {
      await this.s3().send(new AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key: stale.key, UploadId: stale.uploadId }));
      this.stale.delete(name);
      return;
    }
    await this.s3().send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(name) }));
  }
}
