import { Injectable } from '@nestjs/common';
import { AclStreamRepository, type WriteResult } from '../../acl-stream.repository';
import { deleteDocuments } from '../../domain/acl-decisions';
import type { PatternCommand } from '../pattern-command';

@Injectable()
export class DeleteDocumentHandler {
  constructor(private readonly streams: AclStreamRepository) {}

  execute(command: PatternCommand): Promise<WriteResult> {
    return this.streams.write(command.pattern, command.ifMatch, deleteDocuments, command.context);
  }
}
