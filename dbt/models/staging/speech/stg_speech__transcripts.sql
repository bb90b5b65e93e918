with

source as (

    select * from {{ source('speech', 'transcripts') }}

),

renamed as (

    select
        -- ids
        call_id,
        utterance_index,
        -- strings
        speaker,
        text,
        asr_backend,
        asr_model,
        asr_model_version,
        -- numerics
        start_s,
        end_s,
        confidence,
        -- timestamps
        transcribed_at,
        retain_until,
        dt as call_date
    from source

)

select * from renamed
