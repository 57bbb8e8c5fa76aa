import { z } from 'zod';

export const idSchema = z.uuid();
export const idParamsSchema = z.strictObject({ id: idSchema });

/** Client-generated ids make every write idempotent; any opaque string a client can keep works. */
export const clientMsgIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

export const limitSchema = z.coerce.number().int().min(1).max(200).default(50);

export const pageInfoSchema = z.object({
  nextCursor: z.string().nullable(),
});

export const roleSchema = z.enum(['admin', 'supervisor', 'agent']);
export type Role = z.infer<typeof roleSchema>;

export const availabilitySchema = z.enum(['online', 'away', 'offline']);
export type Availability = z.infer<typeof availabilitySchema>;

export const emailSchema = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());
export const nameSchema = z.string().trim().min(1).max(120);
