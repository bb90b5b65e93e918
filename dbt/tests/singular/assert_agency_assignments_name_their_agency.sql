{{ config(severity='warn') }}
-- An assignment handed to an agency should say which one; the contract cannot require
-- agency_id (in-house assignments have none), so such rows pass ingestion and are flagged here.
-- The agency scorecard leaves them out.
select assignment_id, case_id, stage
from {{ ref('stg_lake__collection_cases') }}
where handler_type = 'agency' and agency_id is null
