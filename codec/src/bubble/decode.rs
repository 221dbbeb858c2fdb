//! bubble typed event decode (the table is generated from the schema).
