with

source as (

    select * from {{ source('speech', 'transcriptions') }}

),

renamed as (

    select
        -- ids
        call_id,
        -- strings
        recording_ref,
        status,
        reason,
        asr_backend,
        asr_model,
        asr_model_version,
        -- numerics
        duration_s as audio_duration_s,
        channels,
        utterances,
        processing_s,
        -- timestamps
        transcribed_at,
        dt as call_date
    from source

)

select * from renamed
