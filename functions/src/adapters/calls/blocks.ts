/**
 * The block list (docs/protocol.md#who-may-ring-whom): `users/{uid}/blocked/{other}` says
 * `other` may not ring `uid`. startCall and inviteToCall read it in their own transaction
 * (store/unitOfWork.ts); an app's backend may write it with admin rights, any fields it likes.
 */
import { Timestamp } from "firebase-admin/firestore";
import { DomainError } from "../../core/errors.js";
import type { Ctx } from "../context.js";
import { collections } from "../store/firestore.js";

export interface BlockResult {
  user_id: string;
  blocked: boolean;
}

/**
 * Blocks or unblocks `other` for `uid`: one write, repeatable. Whether `other` exists is not
 * looked up, so the answer tells nothing about who exists.
 */
export async function setBlocked(
  ctx: Ctx,
  uid: string,
  other: string,
  blocked: boolean,
): Promise<BlockResult> {
  if (other === uid) {
    throw new DomainError("invalid_argument", "invalid_argument", "user_id: not yourself.", {
      field: "user_id",
    });
  }
  const ref = collections(ctx.db).blocked(uid).doc(other);
  if (blocked) await ref.set({ user_id: other, created_at: Timestamp.now() });
  else await ref.delete();
  return { user_id: other, blocked };
}
