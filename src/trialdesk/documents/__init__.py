"""Essential documents (eTMF): the TMF Reference Model, expected documents, versioned files on disk."""
