/**
 * Claiming uploaded files: a tip (services/tips.ts) and a reporter's later message (services/track.ts) attach
 * files uploaded before through POST /api/uploads. Each file is claimed with the secret its upload answered
 * (only its HMAC is stored), must still be pending, and the files together must fit the total size limit
 * (per-file caps are checked at upload).
 */
import type { Env } from '../env';
import { LIMITS } from '../domain/limits';
import { appSecret, hmacHex, timingSafeEqual } from '../lib/crypto';
import { ApiError } from '../lib/errors';

/** A file as the client names it: the upload's id and the claim secret the upload answered. */
export interface FileClaim {
  id: string;
  claim: string;
}

/** The stored columns a claim is checked against (`SELECT claim_hash, status, bytes FROM attachments`). */
export interface ClaimedFileRow {
  claim_hash: string;
  status: string;
  bytes: number;
}

/** The error for the `i`th file when it is not (or no longer) a pending upload of this sender. */
export const invalidFile = (i: number) =>
  new ApiError('VALIDATION_FAILED', {
    fields: [{ path: `attachments.${i}`, code: 'ATTACHMENT_INVALID', message: '附件已失效，请重新上传' }],
  });

/** Refuses a list that names the same file twice. */
export function assertDistinctFiles(files: readonly FileClaim[]): void {
  if (new Set(files.map((f) => f.id)).size !== files.length) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'attachments', code: 'DUPLICATE_FILE', message: '同一个附件不能重复添加' }],
    });
  }
}

/**
 * Checks each file's claim against its stored row, in order, then the total size. `rowOf(i)` gives the row of
 * `files[i]` (undefined when there is none); the caller decides how it is read (in a batch, or one by one).
 */
export async function assertClaims(
  env: Env,
  files: readonly FileClaim[],
  rowOf: (i: number) => ClaimedFileRow | null | undefined | Promise<ClaimedFileRow | null | undefined>,
): Promise<void> {
  let totalBytes = 0;
  for (const [i, f] of files.entries()) {
    const row = await rowOf(i);
    const claimHash = await hmacHex(appSecret(env), 'upload-claim', f.claim);
    if (row?.status !== 'pending' || !timingSafeEqual(row.claim_hash, claimHash)) throw invalidFile(i);
    totalBytes += row.bytes;
  }
  if (totalBytes > LIMITS.attachments.maxTotalBytes) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [
        {
          path: 'attachments',
          code: 'ATTACHMENTS_TOO_LARGE',
          message: `附件合计不能超过 ${LIMITS.attachments.maxTotalBytes / 1024 / 1024} MB，请删除部分附件`,
        },
      ],
    });
  }
}
