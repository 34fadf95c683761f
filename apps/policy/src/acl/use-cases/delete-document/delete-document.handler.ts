import { Injectable } from '@nestjs/common';
import { AclStreamRepository, type WriteResult } from '../../acl-stream.repository';
import { deleteDocuments } from '../../domain/acl-decisions';
import type { DeleteDocumentCommand } from './delete-document.command';

@Injectable()
export class DeleteDocumentHandler {
  constructor(private readonly streams: AclStreamRepository) {}

  execute(command: DeleteDocumentCommand): Promise<WriteResult> {
    return this.streams.write(command.pattern, command.ifMatch, deleteDocuments, command.context);
  }
}
