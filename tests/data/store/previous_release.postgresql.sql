-- The store as tillsync 0.1.0 (the release before migrations) created it on postgresql:
-- the DDL that SQLModel.metadata.create_all emitted at that release (sqlalchemy
-- create_mock_engine), frozen for tests/store/test_migrations.py.
CREATE TABLE transaction_claims (
	id SERIAL NOT NULL,
	store_id VARCHAR(64) NOT NULL,
	terminal_id VARCHAR(64) NOT NULL,
	transaction_id VARCHAR(64) NOT NULL,
	workflow_id VARCHAR(200) NOT NULL,
	submission_id VARCHAR(64) NOT NULL,
	payload_hash VARCHAR(64) NOT NULL,
	claimed_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (store_id, terminal_id, transaction_id)
);

CREATE INDEX ix_transaction_claims_workflow_id ON transaction_claims (workflow_id);

CREATE TABLE duplicate_submissions (
	id SERIAL NOT NULL,
	store_id VARCHAR(64) NOT NULL,
	terminal_id VARCHAR(64) NOT NULL,
	transaction_id VARCHAR(64) NOT NULL,
	workflow_id VARCHAR(200) NOT NULL,
	detected_by VARCHAR(16) NOT NULL,
	seen_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_duplicate_submissions_transaction_id ON duplicate_submissions (transaction_id);

CREATE TABLE journal_entries (
	id SERIAL NOT NULL,
	workflow_id VARCHAR(200) NOT NULL,
	transaction_id VARCHAR(64) NOT NULL,
	store_id VARCHAR(64) NOT NULL,
	terminal_id VARCHAR(64) NOT NULL,
	receipt_number INTEGER NOT NULL,
	business_date DATE NOT NULL,
	kind VARCHAR(16) NOT NULL,
	status VARCHAR(16) NOT NULL,
	outcome VARCHAR(16) NOT NULL,
	currency VARCHAR(3) NOT NULL,
	net_total NUMERIC(18, 4) NOT NULL,
	tax_total NUMERIC(18, 4) NOT NULL,
	gross_total NUMERIC(18, 4) NOT NULL,
	erp_reference VARCHAR(220),
	erp_sale_id INTEGER,
	erp_sale_number VARCHAR(64),
	erp_invoice_id INTEGER,
	erp_invoice_number VARCHAR(64),
	posting_date DATE,
	posting_mode VARCHAR(16),
	breakdown JSON NOT NULL,
	consolidation_id INTEGER,
	note VARCHAR,
	recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (workflow_id)
);

CREATE INDEX ix_journal_entries_erp_reference ON journal_entries (erp_reference);

CREATE INDEX ix_journal_entries_business_date ON journal_entries (business_date);

CREATE INDEX ix_journal_entries_consolidation_id ON journal_entries (consolidation_id);

CREATE INDEX ix_journal_entries_outcome ON journal_entries (outcome);

CREATE INDEX ix_journal_entries_store_id ON journal_entries (store_id);

CREATE TABLE sync_exceptions (
	id SERIAL NOT NULL,
	kind VARCHAR(32) NOT NULL,
	owner VARCHAR(16) NOT NULL,
	state VARCHAR(16) NOT NULL,
	workflow_id VARCHAR(200),
	store_id VARCHAR(64) NOT NULL,
	terminal_id VARCHAR(64),
	transaction_id VARCHAR(64),
	business_date DATE,
	message VARCHAR NOT NULL,
	details JSON NOT NULL,
	opened_at TIMESTAMP WITH TIME ZONE NOT NULL,
	resolved_at TIMESTAMP WITH TIME ZONE,
	resolution VARCHAR,
	PRIMARY KEY (id)
);

CREATE INDEX ix_sync_exceptions_state ON sync_exceptions (state);

CREATE INDEX ix_sync_exceptions_store_id ON sync_exceptions (store_id);

CREATE INDEX ix_sync_exceptions_kind ON sync_exceptions (kind);

CREATE INDEX ix_sync_exceptions_workflow_id ON sync_exceptions (workflow_id);

CREATE TABLE mappings (
	id SERIAL NOT NULL,
	kind VARCHAR(16) NOT NULL,
	store_id VARCHAR(64) NOT NULL,
	terminal_id VARCHAR(64) NOT NULL,
	pos_code VARCHAR(64) NOT NULL,
	erp_code VARCHAR(64) NOT NULL,
	factor NUMERIC(18, 4) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (kind, store_id, terminal_id, pos_code)
);

CREATE TABLE receipts_seen (
	id SERIAL NOT NULL,
	store_id VARCHAR(64) NOT NULL,
	terminal_id VARCHAR(64) NOT NULL,
	receipt_number INTEGER NOT NULL,
	transaction_id VARCHAR(64) NOT NULL,
	seen_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (store_id, terminal_id, receipt_number)
);

CREATE TABLE period_closes (
	id SERIAL NOT NULL,
	company_id INTEGER NOT NULL,
	period VARCHAR(16) NOT NULL,
	start_date DATE NOT NULL,
	end_date DATE NOT NULL,
	state VARCHAR(16) NOT NULL,
	workflow_id VARCHAR(200),
	marked_at TIMESTAMP WITH TIME ZONE NOT NULL,
	closed_at TIMESTAMP WITH TIME ZONE,
	note VARCHAR,
	reconciliation JSON NOT NULL,
	report JSON NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (company_id, period)
);

CREATE INDEX ix_period_closes_state ON period_closes (state);

CREATE TABLE consolidated_postings (
	id SERIAL NOT NULL,
	batch_key VARCHAR(200) NOT NULL,
	store_id VARCHAR(64) NOT NULL,
	business_date DATE NOT NULL,
	currency VARCHAR(3) NOT NULL,
	state VARCHAR(16) NOT NULL,
	ticket_count INTEGER NOT NULL,
	gross_total NUMERIC(18, 4) NOT NULL,
	totals JSON NOT NULL,
	erp_move_id INTEGER,
	erp_move_number VARCHAR(64),
	posting_date DATE,
	cost_of_goods NUMERIC(18, 4),
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	posted_at TIMESTAMP WITH TIME ZONE,
	PRIMARY KEY (id),
	UNIQUE (batch_key)
);

CREATE INDEX ix_consolidated_postings_store_id ON consolidated_postings (store_id);

CREATE INDEX ix_consolidated_postings_business_date ON consolidated_postings (business_date);

CREATE INDEX ix_consolidated_postings_state ON consolidated_postings (state);
