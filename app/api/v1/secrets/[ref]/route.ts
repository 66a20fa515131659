// GET / PUT / DELETE /api/v1/secrets/{ref}: read, write or delete one declared secret.
import { getRuntimeApi } from "@/lib/runtime";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ ref: string }> };

export async function GET(request: Request, { params }: Context) {
  return (await getRuntimeApi()).getSecret(request, (await params).ref);
}

export async function PUT(request: Request, { params }: Context) {
  return (await getRuntimeApi()).putSecret(request, (await params).ref);
}

export async function DELETE(request: Request, { params }: Context) {
  return (await getRuntimeApi()).deleteSecret(request, (await params).ref);
}
